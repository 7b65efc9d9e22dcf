#!/usr/bin/env python3
"""Independent worked examples for the amortization package.

Exact rationals (fractions.Fraction) for every amount; half-up rounding to
cents; CAT by bisection in 50-digit decimal arithmetic. Writes one JSON file
per case: {"inputs": {...}, "level_payment": "...", "commission": "...",
"schedule": {payment, cat, totals, rows}}.
"""
import calendar
import datetime as dt
import json
from decimal import Decimal, getcontext, ROUND_HALF_UP
from fractions import Fraction as F

PPY = {"weekly": 52, "catorcenal": 26, "quincenal": 24, "monthly": 12}


def round_cents(x: F) -> F:
    """Half-up to cents for x >= 0 (exact)."""
    assert x >= 0
    c = x * 100
    fl = c.numerator // c.denominator
    if c - fl >= F(1, 2):
        fl += 1
    return F(fl, 100)


def money(x: F) -> str:
    c = x * 100
    assert c.denominator == 1
    c = c.numerator
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def due_dates(start: dt.date, freq: str, n: int):
    out = []
    if freq in ("weekly", "catorcenal"):
        step = 7 if freq == "weekly" else 14
        return [start + dt.timedelta(days=step * k) for k in range(1, n + 1)]
    if freq == "monthly":
        for k in range(1, n + 1):
            y, m = divmod(start.month - 1 + k, 12)
            y += start.year
            m += 1
            last = calendar.monthrange(y, m)[1]
            out.append(dt.date(y, m, min(start.day, last)))
        return out
    # quincenal: walk the calendar day by day, collecting the 15th and month ends after start
    d = start
    while len(out) < n:
        d += dt.timedelta(days=1)
        last = calendar.monthrange(d.year, d.month)[1]
        if d.day == 15 or d.day == last:
            out.append(d)
    return out


def schedule(principal, rate, n, freq, method, iva, balloon="0", commission="0", start="2026-01-05"):
    P, r_annual, IVA, B, C = F(principal), F(rate), F(iva), F(balloon), F(commission)
    m = PPY[freq]
    r = r_annual / m
    if method == "french":
        if r == 0:
            level = round_cents((P - B) / n)
        else:
            g = (1 + r) ** n
            level = round_cents((P * g - B) * r / (g - 1))
    else:
        level = round_cents((P - B) / n)
    dates = due_dates(dt.date.fromisoformat(start), freq, n)
    bal = P
    rows = []
    for k in range(1, n + 1):
        base = P if method == "flat" else bal
        interest = round_cents(base * r_annual / m)
        if k == n:
            pr = bal - B
        elif method == "french":
            pr = level - interest
        else:
            pr = level
        pr = max(F(0), min(pr, bal - B))
        tax = round_cents(interest * IVA)
        pay = pr + interest + tax
        rows.append(dict(n=k, due_date=dates[k - 1].isoformat(), opening_balance=bal, interest=interest,
                         iva=tax, principal=pr, payment=pay, closing_balance=bal - pr))
        bal -= pr
    assert bal == B
    comm = round_cents(P * C)
    cat = solve_cat([row["principal"] + row["interest"] for row in rows], B, P - comm, m)
    first = rows[0]
    payment = level + first["iva"] if method == "french" else first["payment"]
    tot = {k: sum((row[k] for row in rows), F(0)) for k in ("interest", "iva", "principal", "payment")}
    return {
        "inputs": dict(principal=principal, annual_rate=rate, periods=n, frequency=freq, method=method,
                       iva_rate=iva, balloon=balloon, commission=commission, start=start),
        "level_payment": money(level if method == "french" else first["principal"] + first["interest"]),
        "commission": money(comm),
        "schedule": {
            "payment": money(payment),
            "cat": cat,
            "totals": {k: money(v) for k, v in tot.items()},
            "rows": [{k: (money(v) if isinstance(v, F) else v) for k, v in row.items()} for row in rows],
        },
    }


def solve_cat(flows, balloon, disb, ppy):
    getcontext().prec = 60
    flows = [Decimal(f.numerator) / Decimal(f.denominator) for f in flows]
    Bd = Decimal(balloon.numerator) / Decimal(balloon.denominator)
    D = Decimal(disb.numerator) / Decimal(disb.denominator)
    if sum(flows) + Bd == D:
        return "0.0"

    def pv(i):
        v = (1 + i) ** (Decimal(-1) / Decimal(ppy))
        acc = Decimal(0)
        vk = Decimal(1)
        for f in flows:
            vk *= v
            acc += f * vk
        return acc + Bd * vk - D

    lo, hi = Decimal("-0.5"), Decimal(1)
    while pv(hi) > 0:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if pv(mid) >= 0:
            lo = mid
        else:
            hi = mid
    return str((lo * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


CASES = {
    "issue_weekly_french": dict(principal="250000", rate="0.36", n=156, freq="weekly", method="french", iva="0.16", commission="0.02", start="2026-01-05"),
    "monthly_german_balloon": dict(principal="120000", rate="0.24", n=24, freq="monthly", method="german", iva="0.16", balloon="20000", commission="0.015", start="2026-01-31"),
    "quincenal_flat": dict(principal="85000", rate="0.30", n=48, freq="quincenal", method="flat", iva="0.16", start="2026-02-14"),
    "catorcenal_french_zero_rate": dict(principal="60000", rate="0", n=26, freq="catorcenal", method="french", iva="0.16", start="2026-03-02"),
    "catorcenal_french_zero_rate_commission": dict(principal="60000", rate="0", n=26, freq="catorcenal", method="french", iva="0.16", commission="0.01", start="2026-03-02"),
    "monthly_french_balloon": dict(principal="300000", rate="0.185", n=48, freq="monthly", method="french", iva="0.16", balloon="60000", commission="0.03", start="2026-03-31"),
    "weekly_french_350pct": dict(principal="98765.43", rate="3.5", n=104, freq="weekly", method="french", iva="0.16", commission="0.05", start="2026-12-28"),
    "quincenal_german_month_end": dict(principal="45000.50", rate="0.42", n=36, freq="quincenal", method="german", iva="0.08", start="2026-01-31"),
    "weekly_half_cent": dict(principal="6.50", rate="0.36", n=1, freq="weekly", method="french", iva="0.16", start="2026-01-05"),
}

if __name__ == "__main__":
    for name, c in CASES.items():
        out = schedule(c["principal"], c["rate"], c["n"], c["freq"], c["method"], c["iva"],
                       c.get("balloon", "0"), c.get("commission", "0"), c["start"])
        with open(f"{name}.json", "w") as fh:
            json.dump(out, fh, indent=1)
            fh.write("\n")
        print(name, out["level_payment"], out["schedule"]["payment"], out["schedule"]["cat"], out["schedule"]["totals"])


def random_cases(count=40, seed=62026):
    """Seeded random loans across methods, frequencies, balloons, commissions
    and rates; summarized (payment, cat, totals, first and last rows)."""
    import random
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        n = rnd.choice([1, 2, 12, 24, 26, 48, 52, 104, 156, rnd.randint(1, 300)])
        principal = rnd.randint(100, 150_000_000)  # cents
        balloon = rnd.randint(0, principal - 1) if rnd.random() < 0.3 else 0
        rate = rnd.choice([0, rnd.randint(1, 9999), rnd.randint(1000, 60000)])  # basis points
        c = dict(
            principal=money(F(principal, 100)), rate=str(Decimal(rate) / 10000), n=n,
            freq=rnd.choice(list(PPY)), method=rnd.choice(["french", "german", "flat"]),
            iva=rnd.choice(["0", "0.08", "0.16"]), balloon=money(F(balloon, 100)),
            commission=str(Decimal(rnd.randint(0, 500)) / 10000) if rnd.random() < 0.6 else "0",
            start=(dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randint(0, 730))).isoformat(),
        )
        r = schedule(c["principal"], c["rate"], c["n"], c["freq"], c["method"], c["iva"], c["balloon"], c["commission"], c["start"])
        s = r["schedule"]
        out.append({"inputs": r["inputs"], "payment": s["payment"], "cat": s["cat"], "totals": s["totals"],
                    "first": s["rows"][0], "last": s["rows"][-1]})
    return out


if __name__ == "__main__":
    cases = random_cases()
    with open("random/cases.json", "w") as fh:
        json.dump(cases, fh, indent=0)
        fh.write("\n")
    print("random cases:", len(cases))
