package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/stream"
)

// start runs devbroker with args until the test ends and returns its
// output once it has printed what it listens on, and a function that stops
// it and returns its exit status.
func start(t *testing.T, args ...string) (*progtest.Buffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var out, errw progtest.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, &out, &errw) }()
	stop := sync.OnceValue(func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Error("devbroker did not stop")
			return -1
		}
	})
	t.Cleanup(func() { stop() })
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "Ctrl-C"); {
		select {
		case code := <-done:
			t.Fatalf("devbroker exited %d: %s", code, errw.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("devbroker did not start: %s %s", out.String(), errw.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return &out, stop
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestOps(t *testing.T) {
	out, stop := start(t, "--port", "0", "--ops-listen", "127.0.0.1:0")
	broker := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`).FindStringSubmatch(out.String())
	opsURL := regexp.MustCompile(`ops on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(out.String())
	if broker == nil || opsURL == nil || strings.HasSuffix(broker[1], ":0") || strings.HasSuffix(opsURL[1], ":0") {
		t.Fatalf("output does not name the bound addresses: %s", out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := stream.Reachable(ctx, stream.Cluster{Brokers: []string{broker[1]}}); err != nil {
		t.Fatalf("the printed broker address: %v", err)
	}

	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/healthz", 200, "ok"},
		{"/readyz", 200, "ready"},
		{"/metrics", 200, "go_goroutines"},
		{"/metrics", 200, "process_resident_memory_bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, body := get(t, opsURL[1]+tt.path)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("status %d body %.200q, want %d and %q", status, body, tt.status, tt.want)
			}
		})
	}

	if code := stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(out.String(), "devbroker: stopped") {
		t.Errorf("output %q, want it to say it stopped", out)
	}
	for _, addr := range []string{broker[1], strings.TrimPrefix(opsURL[1], "http://")} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after the stop", addr)
		}
	}
}

func TestOpsOff(t *testing.T) {
	out, _ := start(t, "--port", "0", "--ops-listen", "")
	if strings.Contains(out.String(), "ops on") {
		t.Errorf("ops endpoints announced with --ops-listen empty: %s", out)
	}
}

func TestUsage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"help", []string{"-h"}, 0, "-ops-listen"},
		{"bad flag", []string{"--nope"}, 2, "flag provided but not defined"},
		{"extra argument", []string{"--port", "0", "x"}, 2, "unexpected arguments"},
		{"ops address taken", []string{"--port", "0", "--ops-listen", ln.Addr().String()}, 1, "listen for ops endpoints"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw strings.Builder
			if code := run(t.Context(), tt.args, &out, &errw); code != tt.status || !strings.Contains(errw.String(), tt.stderr) {
				t.Errorf("exit %d stderr %q, want %d and %q", code, errw.String(), tt.status, tt.stderr)
			}
		})
	}
}
