#!/usr/bin/env python3
"""Regenerates ../schema/odoo{17,19}.json from the fields_get answers in the
shared wire recordings (run from the package directory:
python3 testdata/genschema.py). Field order is kept as Odoo sent it."""
import json, os, sys

root = os.path.join('..', '..', '..', 'shared', 'odoo-wire')
for version in ('odoo17', 'odoo19'):
    out = {}
    path = os.path.join(root, version, 'jsonrpc.jsonl')
    for line in open(path, encoding='utf-8'):
        ex = json.loads(line)
        req = json.loads(ex['request_body'])
        args = req['params']['args']
        if len(args) > 4 and args[4] == 'fields_get':
            res = json.loads(ex['response_body'], object_pairs_hook=list)
            result = dict(res)['result']
            # Custom x_ fields belong to the recorded database, not to Odoo.
            out[args[3]] = [[name, dict(attrs)] for name, attrs in result
                            if not name.startswith('x_')]
    with open(os.path.join('schema', version + '.json'), 'w', encoding='utf-8') as f:
        f.write('{\n')
        for i, (model, fields) in enumerate(out.items()):
            f.write(json.dumps(model) + ': [\n')
            f.write(',\n'.join(json.dumps(x, ensure_ascii=False) for x in fields))
            f.write('\n]' + (',' if i < len(out) - 1 else '') + '\n')
        f.write('}\n')
    print(version, sorted(out), file=sys.stderr)
