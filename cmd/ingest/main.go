// Command ingest validates marketplace listing events. Publishing them to
// Kafka is the streaming pipeline's next step; today it checks files against
// the listing contract, the same check the pipeline will apply.
//
//	ingest check [LISTINGS.jsonl ...]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/scan"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

const usage = `ingest validates listing events (JSON Lines) against the listing contract.

Usage:
  ingest check [LISTINGS.jsonl ...]   (stdin when no file or "-")
      Report every invalid line on stderr as FILE:LINE: reason and print a
      count per file. Exit status 0 all valid, 1 some lines invalid, 2 usage.
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	sources, closeAll, err := scan.Open(fs.Args(), stdin)
	if err != nil {
		fmt.Fprintf(stderr, "ingest: %v\n", err)
		return 2
	}
	defer closeAll()
	status := 0
	for _, src := range sources {
		name, r := src.Name, src.R
		valid, invalid, err := check(name, r, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "ingest: %s: %v\n", name, err)
			return 2
		}
		fmt.Fprintf(stdout, "%s: %d valid, %d invalid\n", name, valid, invalid)
		if invalid > 0 {
			status = 1
		}
	}
	return status
}

func check(name string, r io.Reader, stderr io.Writer) (valid, invalid int, err error) {
	lr := listing.NewReader(r)
	for {
		_, line, err := lr.Next()
		var le *listing.LineError
		switch {
		case errors.Is(err, io.EOF):
			return valid, invalid, nil
		case errors.As(err, &le):
			invalid++
			fmt.Fprintf(stderr, "%s:%d: %v\n", name, line, le.Err)
		case err != nil:
			return valid, invalid, err
		default:
			valid++
		}
	}
}
