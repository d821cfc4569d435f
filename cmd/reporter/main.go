// Command reporter turns verdicts into something an analyst acts on. Cases,
// the review UI and takedown notices come with the reporter issue; today it
// summarises a verdict stream per brand and follows the candidates topic.
//
//	reporter run [--db FILE] [--brokers HOST:PORT] [--listen ADDR]
//	reporter cases [--db FILE] [--brand ID] [--status S]
//	reporter move --actor NAME [--reason TEXT] CASE STATUS
//	reporter summary [VERDICTS.jsonl ...]
//	reporter watch [--brokers HOST:PORT]
//	reporter users add|passwd|disable|enable|grant|ungrant|list
//	reporter tokens add|revoke|list
//	reporter audit
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"text/tabwriter"

	"github.com/assay-dev/assay/internal/scan"
	"github.com/assay-dev/assay/internal/score"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

const usage = `reporter turns candidates into cases analysts review.

Usage:
  reporter run [--db assay-cases.db] [--brokers HOST:PORT] [--listen 127.0.0.1:8090]
      Consume the candidates topic (consumer group assay-reporter) into the
      case database: one case per (listing, brand), repeats update it, the
      listing as flagged is kept; offsets are committed after the cases are
      stored. --listen serves the analyst UI and, for operators, /metrics
      (Prometheus: intake counters and figures counted from the case
      database, cached --metrics-cache 5s), /healthz (alive) and /readyz
      (the database answers and Kafka is reachable). Every page and API
      route needs an account (see users); /metrics, /healthz and /readyz
      stay open. The session cookie is Secure: browsers keep it from
      https:// and from http://localhost or 127.0.0.1; serving plain HTTP
      to other hosts needs --insecure-cookies (better: put TLS in front).

  reporter cases [--db FILE] [--brand ID] [--status STATUS] [--limit N]
      List cases, highest score first.

  reporter move --actor NAME [--reason TEXT] CASE STATUS
      Change a case's status (new -> confirmed -> in_notice -> removed, or
      dismissed; rejected, counter_noticed, reinstated after a notice);
      moves the workflow does not allow are refused. Every move is audited.

  reporter notice --brands FILE --brand ID --marketplace M --actor NAME
                  [--cap 300] [--format html|csv|json] [--out DIR] [--dry-run]
      Build takedown notices from the brand's confirmed cases on one
      marketplace, split at the cap, write them, and move the cases to
      in_notice.

  reporter summary [VERDICTS.jsonl ...]   (stdin when no file or "-")
      Print flagged listings per brand with their mean score and the signal
      kinds that fired most. Exit status 0 ok, 1 some lines unreadable, 2 usage.

  reporter watch [--brokers HOST:PORT] [--topic-candidates candidates]
      Follow the candidates topic from its beginning and print each flagged
      listing with its evidence as it arrives; Ctrl-C prints the totals.

  reporter users add NAME --role admin|analyst|owner [--brand ID ...] [--db FILE]
  reporter users passwd|disable|enable NAME, grant|ungrant NAME BRAND, list
      Accounts of the UI and API: admin (everything), analyst (every brand,
      decides, builds notices), owner (its brands only). The password comes
      from standard input or a terminal prompt (--random-password prints
      one). No account exists until an operator adds the first admin.

  reporter tokens add NAME --user ACCOUNT | revoke NAME | list [--db FILE]
      API tokens for scripts (Authorization: Bearer TOKEN), shown once.

  reporter audit [--db FILE] [--limit 100]
      The audit log: logins, decisions, notices, account changes.
`

type tally struct {
	flagged int
	sum     float64
	kinds   map[string]int
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		switch args[0] {
		case "watch":
			return watch(ctx, args[1:], stdout, stderr)
		case "run":
			return runIntake(ctx, args[1:], stderr)
		case "cases":
			return listCases(ctx, args[1:], stdout, stderr)
		case "move":
			return moveCase(ctx, args[1:], stdout, stderr)
		case "notice":
			return makeNotices(ctx, args[1:], stdout, stderr)
		case "users":
			return users(ctx, args[1:], stdin, stdout, stderr)
		case "tokens":
			return tokens(ctx, args[1:], stdout, stderr)
		case "audit":
			return audit(ctx, args[1:], stdout, stderr)
		}
	}
	if len(args) == 0 || args[0] != "summary" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprint(stderr, usage)
		return 2
	}
	sources, closeAll, err := scan.Open(args[1:], stdin)
	if err != nil {
		fmt.Fprintf(stderr, "reporter: %v\n", err)
		return 2
	}
	defer closeAll()
	brands := map[string]*tally{}
	bad := 0
	for _, src := range sources {
		name := src.Name
		sc := bufio.NewScanner(src.R)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for n := 1; sc.Scan(); n++ {
			if len(sc.Bytes()) == 0 {
				continue
			}
			var v score.Verdict
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil || v.ListingID == "" {
				bad++
				fmt.Fprintf(stderr, "%s:%d: not a verdict\n", name, n)
				continue
			}
			if !v.Flagged {
				continue
			}
			t := brands[v.BrandID]
			if t == nil {
				t = &tally{kinds: map[string]int{}}
				brands[v.BrandID] = t
			}
			t.flagged++
			t.sum += v.Score
			for _, s := range v.Signals {
				if s.Score > 0 {
					t.kinds[s.Kind]++
				}
			}
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintf(stderr, "reporter: %s: %v\n", name, err)
			return 2
		}
	}
	ids := make([]string, 0, len(brands))
	for id := range brands {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return brands[ids[i]].flagged > brands[ids[j]].flagged })
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BRAND\tFLAGGED\tMEAN SCORE\tSIGNALS")
	for _, id := range ids {
		t := brands[id]
		fmt.Fprintf(tw, "%s\t%d\t%.2f\ttext %d, coded %d, image %d, price %d\n", id, t.flagged, t.sum/float64(t.flagged),
			t.kinds["text"], t.kinds["coded"], t.kinds["image"], t.kinds["price"])
	}
	tw.Flush()
	if bad > 0 {
		return 1
	}
	return 0
}
