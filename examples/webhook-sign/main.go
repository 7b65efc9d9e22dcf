// Command webhook-sign signs a webhook payload the way a provider does, so a
// tester can post a valid delivery to the server with curl. It reads the
// payload from stdin byte for byte and prints only the headers to send, one
// "name: value" per line:
//
//	webhook-sign --provider gnv --secret whsec_… [--id msg_…] [--timestamp UNIX] < body.json
//	webhook-sign --provider metamap --secret S < body.json
//	webhook-sign --provider conekta --key private.pem < body.json
//
// gnv uses Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature;
// the id defaults to a fresh random "msg_…" and the timestamp to now), metamap
// prints x-signature (hex HMAC-SHA256), conekta prints digest (base64 RSA
// PKCS#1 v1.5 over SHA-256 with the given PEM private key). With curl ≥ 7.55,
// which reads headers from a file:
//
//	printf %s '{"batch_id":"B-1","date":"2026-11-21","records":[]}' > body.json
//	go run ./examples/webhook-sign --provider gnv --secret "$GNV_WEBHOOK_SECRET" < body.json > headers.txt
//	curl -sS -H @headers.txt -H 'Content-Type: application/json' --data-binary @body.json \
//	  http://localhost:8080/api/gnv/webhook/consumption
//
// Exit status: 0 on success, 1 when signing fails, 2 on bad usage.
package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/providers/conekta"
	"github.com/cmu-mx/cmu/providers/gnv"
	"github.com/cmu-mx/cmu/providers/metamap"
)

// maxPayload bounds the payload read from stdin.
const maxPayload = 25 << 20

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is main without the process: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("webhook-sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	provider := fs.String("provider", "", "provider whose scheme to use: gnv, metamap or conekta")
	secret := fs.String("secret", "", "signing secret (gnv: whsec_…; metamap: the flow's webhook secret)")
	id := fs.String("id", "", "gnv: webhook-id (default: a fresh msg_…)")
	timestamp := fs.String("timestamp", "", "gnv: webhook-timestamp in Unix seconds (default: now)")
	keyFile := fs.String("key", "", "conekta: PEM file with the RSA private key")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: webhook-sign --provider gnv|metamap|conekta [flags] < payload")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "webhook-sign: unexpected argument %q (the payload is read from stdin)\n", fs.Arg(0))
		return 2
	}
	headers, err := sign(*provider, *secret, *id, *timestamp, *keyFile, stdin)
	if err != nil {
		fmt.Fprintln(stderr, "webhook-sign:", err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	var b strings.Builder
	for _, h := range headers {
		b.WriteString(h[0] + ": " + h[1] + "\n")
	}
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		fmt.Fprintln(stderr, "webhook-sign:", err)
		return 1
	}
	return 0
}

func readPayload(stdin io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(stdin, maxPayload+1))
	if err != nil {
		return nil, fmt.Errorf("read payload: %w", err)
	}
	if len(body) > maxPayload {
		return nil, fmt.Errorf("payload larger than %d bytes", maxPayload)
	}
	return body, nil
}

func sign(provider, secret, id, ts, keyFile string, stdin io.Reader) ([][2]string, error) {
	only := func(flagName, value, forProvider string) error {
		if value != "" && provider != forProvider {
			return usageError{fmt.Sprintf("--%s is only for --provider %s", flagName, forProvider)}
		}
		return nil
	}
	if err := errors.Join(only("id", id, "gnv"), only("timestamp", ts, "gnv"), only("key", keyFile, "conekta")); err != nil {
		return nil, err
	}
	switch provider {
	case "gnv":
		return signGNV(secret, id, ts, stdin)
	case "metamap":
		if secret == "" {
			return nil, usageError{"--secret is required for metamap"}
		}
		s := metamap.Secret(secret)
		if err := s.Validate(); err != nil {
			return nil, usageError{err.Error()}
		}
		body, err := readPayload(stdin)
		if err != nil {
			return nil, err
		}
		return [][2]string{{metamap.HeaderSignature, metamap.Sign(s, body)}}, nil
	case "conekta":
		if secret != "" {
			return nil, usageError{"--secret is not used by conekta: pass --key private.pem"}
		}
		if keyFile == "" {
			return nil, usageError{"--key is required for conekta"}
		}
		pemBytes, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("read key: %w", err)
		}
		key, err := conekta.ParsePrivateKey(pemBytes)
		if err != nil {
			return nil, err
		}
		body, err := readPayload(stdin)
		if err != nil {
			return nil, err
		}
		digest, err := conekta.SignDigest(key, body)
		if err != nil {
			return nil, err
		}
		return [][2]string{{"digest", digest}}, nil
	case "":
		return nil, usageError{"--provider is required (gnv, metamap or conekta)"}
	}
	return nil, usageError{fmt.Sprintf("unknown provider %q (want gnv, metamap or conekta)", provider)}
}

func signGNV(secret, id, ts string, stdin io.Reader) ([][2]string, error) {
	if secret == "" {
		return nil, usageError{"--secret whsec_… is required for gnv"}
	}
	s := gnv.Secret(secret)
	if _, err := s.Key(); err != nil {
		return nil, usageError{err.Error()}
	}
	at := time.Now()
	if ts != "" {
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || sec < 0 {
			return nil, usageError{fmt.Sprintf("--timestamp %q is not Unix seconds", ts)}
		}
		at = time.Unix(sec, 0)
	}
	if id == "" {
		id = newMessageID()
	}
	if strings.Contains(id, ".") || strings.TrimSpace(id) != id {
		return nil, usageError{fmt.Sprintf("--id %q must not contain '.' or spaces", id)}
	}
	body, err := readPayload(stdin)
	if err != nil {
		return nil, err
	}
	sig, err := gnv.Sign(s, id, at, body)
	if err != nil {
		return nil, err
	}
	return [][2]string{{gnv.HeaderID, id}, {gnv.HeaderTimestamp, strconv.FormatInt(at.Unix(), 10)}, {gnv.HeaderSignature, sig}}, nil
}

// newMessageID returns "msg_" and 24 random base62 characters.
func newMessageID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 24)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "msg_" + string(b)
}
