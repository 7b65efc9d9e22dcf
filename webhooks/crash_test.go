package webhooks_test

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/webhooks/internal/hmactest"
	"github.com/cmu-mx/cmu/webhooks/internal/pgtest"
)

// buildCrashNode compiles internal/cmd/crashnode into a temporary directory.
func buildCrashNode(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "crashnode")
	cmd := exec.Command(goBin, "build", "-o", bin, "github.com/cmu-mx/cmu/webhooks/internal/cmd/crashnode")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build crashnode: %v\n%s", err, out)
	}
	return bin
}

// node is one run of the crash node process.
type node struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	done   chan struct{}
}

func startNode(t *testing.T, bin string, args ...string) *node {
	t.Helper()
	cmd := exec.Command(bin, args...)
	dieWithParent(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	n := &node{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = &syncWriter{w: n.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(n.done) }()
	t.Cleanup(func() { n.kill() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		n.kill()
		t.Fatalf("crash node did not start: %v\n%s", err, n.stderr)
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if !ok {
		t.Fatalf("crash node said %q", line)
	}
	n.url = "http://" + addr
	return n
}

func (n *node) kill() {
	n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.done
}

func (n *node) state(t *testing.T) map[string]int64 {
	t.Helper()
	resp, err := http.Get(n.url + "/state")
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	defer resp.Body.Close()
	var m map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("state: %v", err)
	}
	return m
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// outcome of one delivery attempt.
type outcome int

const (
	unknown   outcome = iota // no answer: connection error, 5xx
	acked                    // 200, new
	duplicate                // 200, already in the inbox
	refused                  // 401
)

type crashEvent struct {
	id    string
	body  []byte
	valid bool
}

func deliver(client *http.Client, url string, secret []byte, ev crashEvent) outcome {
	req, err := http.NewRequest(http.MethodPost, url+"/webhook", bytes.NewReader(ev.body))
	if err != nil {
		return unknown
	}
	key := secret
	if !ev.valid {
		key = []byte("forged-secret")
	}
	hmactest.Sign(req.Header, key, ev.id, time.Now(), ev.body)
	resp, err := client.Do(req)
	if err != nil {
		return unknown
	}
	defer resp.Body.Close()
	var body struct {
		Duplicate bool `json:"duplicate"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	switch {
	case resp.StatusCode == http.StatusOK && body.Duplicate:
		return duplicate
	case resp.StatusCode == http.StatusOK:
		return acked
	case resp.StatusCode == http.StatusUnauthorized:
		return refused
	}
	return unknown
}

// TestCrashExactlyOnce fires thousands of signed webhooks (and duplicates, and
// forged ones) at a child process, SIGKILLs it while deliveries are being
// received and processed, restarts it, redelivers what got no answer as a
// provider would, kills it again while it processes, restarts it and lets it
// drain. Then every accepted delivery must have been applied exactly once and
// nothing else at all.
func TestCrashExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test builds and kills a child process; skipped with -short")
	}
	t.Parallel()
	bin := buildCrashNode(t)
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "inbox.db")
		crashTest(t, bin, 2000, []string{"-sqlite", path}, func() *sql.DB {
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
			if err != nil {
				t.Fatal(err)
			}
			return db
		})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dsn := pgtest.DSN(t)
		// Fewer events: each done mark is a PostgreSQL commit, slow on this
		// shared 2-core machine.
		crashTest(t, bin, 1000, []string{"-postgres", dsn, "-workers", "2"}, func() *sql.DB {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			return db
		})
	})
}

func crashTest(t *testing.T, bin string, valid int, storeArgs []string, open func() *sql.DB) {
	const senders = 32
	forged := valid / 10
	secret := []byte("whsec_crash")
	args := append([]string{"-secret", string(secret), "-lease", "1s"}, storeArgs...)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))

	var events []crashEvent
	for i := range valid {
		ev := crashEvent{id: fmt.Sprintf("ev-%05d", i), valid: true,
			body: fmt.Appendf(nil, `{"id":"ev-%05d","amount":"%d.50"}`, i, i)}
		events = append(events, ev)
		if rng.IntN(5) == 0 {
			events = append(events, ev) // the provider delivers it twice
		}
	}
	for i := range forged {
		events = append(events, crashEvent{id: fmt.Sprintf("bad-%05d", i), valid: false,
			body: fmt.Appendf(nil, `{"id":"bad-%05d"}`, i)})
	}
	rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	var (
		mu      sync.Mutex
		answers = map[string][]outcome{} // per event id, every answer received
	)
	record := func(id string, o outcome) {
		mu.Lock()
		answers[id] = append(answers[id], o)
		mu.Unlock()
	}
	sendAll := func(url string, evs []crashEvent, afterAcked int64, kill func()) {
		var nacked atomic.Int64
		var once sync.Once
		work := make(chan crashEvent)
		var wg sync.WaitGroup
		for range senders {
			wg.Go(func() {
				for ev := range work {
					o := deliver(client, url, secret, ev)
					record(ev.id, o)
					if o == acked && nacked.Add(1) == afterAcked && kill != nil {
						once.Do(kill)
					}
				}
			})
		}
		for _, ev := range evs {
			work <- ev
		}
		close(work)
		wg.Wait()
	}

	// Phase 1: everything in flight; SIGKILL after a third was acknowledged.
	start := time.Now()
	n1 := startNode(t, bin, args...)
	sendAll(n1.url, events, int64(valid/3), n1.kill)
	n1.kill()
	mu.Lock()
	var retry, ackedBefore []crashEvent
	seen := map[string]bool{}
	for _, ev := range events {
		if seen[ev.id] {
			continue
		}
		seen[ev.id] = true
		got := answers[ev.id]
		for _, o := range got {
			if !ev.valid && (o == acked || o == duplicate) {
				t.Errorf("forged delivery %s was accepted", ev.id)
			}
			if ev.valid && o == refused {
				t.Errorf("valid delivery %s was refused", ev.id)
			}
		}
		switch {
		case !ev.valid:
		case containsOutcome(got, acked) || containsOutcome(got, duplicate):
			ackedBefore = append(ackedBefore, ev)
		default:
			retry = append(retry, ev)
		}
	}
	mu.Unlock()
	t.Logf("phase 1 took %v", time.Since(start))
	t.Logf("phase 1: %d valid events acknowledged, %d without an answer when killed", len(ackedBefore), len(retry))
	if len(ackedBefore) == 0 || len(retry) == 0 {
		t.Fatalf("the kill did not land mid-flight: %d acknowledged, %d unanswered", len(ackedBefore), len(retry))
	}

	// Phase 2: restart; whatever was acknowledged must survive (a redelivery is a
	// duplicate); redeliver the unanswered ones, and kill again while processing.
	n2 := startNode(t, bin, args...)
	st := n2.state(t)
	t.Logf("after the first kill: %v", st)
	if st["pending"]+st["processing"] == 0 {
		t.Errorf("nothing was left to process at the kill: %v", st)
	}
	for _, ev := range ackedBefore[:min(200, len(ackedBefore))] {
		if o := deliver(client, n2.url, secret, ev); o != duplicate {
			t.Errorf("acknowledged %s redelivered after the crash: outcome %d, want duplicate", ev.id, o)
		}
	}
	sendAll(n2.url, retry, 0, nil)
	for _, ev := range retry {
		mu.Lock()
		got := answers[ev.id]
		mu.Unlock()
		if !containsOutcome(got, acked) && !containsOutcome(got, duplicate) {
			t.Fatalf("%s still unanswered after the restart: %v\n%s", ev.id, got, n2.stderr)
		}
	}
	st = n2.state(t)
	n2.kill()
	t.Logf("second kill, while processing: %v (at %v)", st, time.Since(start))

	// Phase 3: restart and drain (claims of the killed process expire after 1 s).
	n3 := startNode(t, bin, args...)
	deadline := time.Now().Add(60 * time.Second)
	for {
		st = n3.state(t)
		if st["pending"] == 0 && st["processing"] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("inbox did not drain: %v\n%s", st, n3.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	n3.kill()
	t.Logf("phase 3 drained in %v", time.Since(deadline.Add(-60*time.Second)))
	if st["done"] != int64(valid) || st["dead"] != 0 {
		t.Errorf("final inbox %v, want %d done and none dead", st, valid)
	}

	db := open()
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `SELECT event_id, COUNT(*) FROM crash_applied GROUP BY event_id`)
	if err != nil {
		t.Fatal(err)
	}
	applied := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		applied[id] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for id, n := range applied {
		switch {
		case !strings.HasPrefix(id, "ev-"):
			t.Errorf("%s applied but never accepted", id)
		case n != 1:
			t.Errorf("%s applied %d times", id, n)
		}
	}
	for i := range valid {
		if id := fmt.Sprintf("ev-%05d", i); applied[id] == 0 {
			t.Errorf("accepted %s never applied", id)
		}
	}
	if t.Failed() {
		t.Logf("stderr of the last run:\n%s", n3.stderr)
	}
}

func containsOutcome(os []outcome, o outcome) bool {
	for _, x := range os {
		if x == o {
			return true
		}
	}
	return false
}
