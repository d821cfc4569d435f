// Command devbroker runs an embedded Kafka-protocol broker (franz-go's
// kfake) on 127.0.0.1 for the demo and quick tests. Use real Kafka in
// production: every Assay program takes --brokers or KAFKA_BROKERS.
//
//	devbroker [--port 9092] [--data-dir DIR] [--ops-listen 127.0.0.1:9102]
//
// The broker is package internal/devbroker's; this file parses flags and
// turns signals into a context.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/assay-dev/assay/internal/devbroker"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal the default action is restored, so a second
	// one ends the process at once. The goroutine ends with ctx.
	go func() { <-ctx.Done(); stop() }()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("devbroker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.Int("port", 9092, "port to listen on, on 127.0.0.1 (0 picks a free one)")
	dataDir := fs.String("data-dir", "", "keep topics and consumer offsets in `DIR` across restarts (default: memory only)")
	partitions := fs.Int("partitions", 6, "partitions of topics created automatically")
	opsListen := fs.String("ops-listen", "127.0.0.1:9102", "serve /metrics, /healthz and /readyz on `ADDR` (port 0 picks a free one; empty: off)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "devbroker runs an embedded Kafka-protocol broker (kfake) for the demo and tests.\n\nUsage: devbroker [flags]\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "devbroker: unexpected arguments %q\n", fs.Args())
		return 2
	}
	b, err := devbroker.Start(devbroker.Options{Port: *port, DataDir: *dataDir, Partitions: *partitions, OpsAddr: *opsListen})
	if err != nil {
		fmt.Fprintf(stderr, "devbroker: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "devbroker: listening on %s (Ctrl-C to stop)\n", strings.Join(b.Addrs(), ","))
	if a := b.OpsAddr(); a != "" {
		fmt.Fprintf(stdout, "devbroker: ops on http://%s (/metrics, /healthz, /readyz)\n", a)
	}
	<-ctx.Done()
	b.Close()
	fmt.Fprintln(stdout, "devbroker: stopped")
	return 0
}
