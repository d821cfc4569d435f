// Command devbroker runs an embedded Kafka-protocol broker (franz-go's
// kfake) on 127.0.0.1 for the demo and quick tests. Use real Kafka in
// production: every Assay program takes --brokers or KAFKA_BROKERS.
//
//	devbroker [--port 9092] [--data-dir DIR]
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

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("devbroker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.Int("port", 9092, "port to listen on, on 127.0.0.1")
	dataDir := fs.String("data-dir", "", "keep topics and consumer offsets in `DIR` across restarts (default: memory only)")
	partitions := fs.Int("partitions", 6, "partitions of topics created automatically")
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b, err := devbroker.Start(devbroker.Options{Port: *port, DataDir: *dataDir, Partitions: *partitions})
	if err != nil {
		fmt.Fprintf(stderr, "devbroker: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "devbroker: listening on %s (Ctrl-C to stop)\n", strings.Join(b.Addrs(), ","))
	<-ctx.Done()
	b.Close()
	fmt.Fprintln(stdout, "devbroker: stopped")
	return 0
}
