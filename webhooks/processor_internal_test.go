package webhooks

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

func TestBackoffGrowsWithJitterWithinBounds(t *testing.T) {
	p, err := NewProcessor(ProcessorConfig{
		Store:      &SQLStore{},
		Handlers:   map[string]HandlerFunc{"x": nil},
		MinBackoff: time.Second,
		MaxBackoff: time.Minute,
		Rand:       rand.NewPCG(1, 1),
	})
	if err == nil {
		t.Fatal("nil handler accepted")
	}
	p, err = NewProcessor(ProcessorConfig{
		Store:      &SQLStore{},
		Handlers:   map[string]HandlerFunc{"x": func(ctx context.Context, d Delivery) error { return nil }},
		MinBackoff: time.Second,
		MaxBackoff: time.Minute,
		Rand:       rand.NewPCG(1, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		attempt int
		full    time.Duration
	}{
		{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {6, 32 * time.Second},
		{7, time.Minute}, {50, time.Minute}, {1 << 20, time.Minute},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := p.backoff(tt.attempt)
			if d < tt.full/2 || d > tt.full {
				t.Errorf("backoff(%d) = %v, want in [%v, %v]", tt.attempt, d, tt.full/2, tt.full)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("backoff(%d): only %d distinct values in 50: no jitter", tt.attempt, len(seen))
		}
	}
}

func TestTruncateKeepsValidUTF8(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"ñññ\xff", "ñ…"},
		{"a\x00b", "ab"},
		{"abc", "abc"},
	} {
		if got := truncate(tt.in, 3); got != tt.want {
			t.Errorf("truncate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
