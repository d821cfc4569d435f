package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/notice"
)

// makeNotices builds takedown notices from the confirmed cases of one brand
// on one marketplace, records them (which moves their cases to in_notice)
// and writes them out.
func makeNotices(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("notice", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "assay-cases.db", "case database `FILE`")
	brands := fs.String("brands", "", "brand registry `FILE` (for the owner, contact and marks); required")
	brandID := fs.String("brand", "", "brand id; required")
	marketplace := fs.String("marketplace", "", "marketplace the notice goes to; required")
	limit := fs.Int("cap", notice.DefaultCap, "most listings per notice (Alibaba IPP 300, Amazon 50)")
	format := fs.String("format", "html", "`csv`, json or html")
	out := fs.String("out", ".", "directory to write the notices to")
	actor := fs.String("actor", "", "who sends the notices (required: the cases move to in_notice under this name)")
	signer := fs.String("signer", "", "name in the signature block (default: the brand's contact)")
	dryRun := fs.Bool("dry-run", false, "write the notices but leave the cases as they are")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: reporter notice --brands FILE --brand ID --marketplace M --actor NAME [flags]\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *brands == "" || *brandID == "" || *marketplace == "" || (*actor == "" && !*dryRun) {
		fs.Usage()
		return 2
	}
	fmtr, ok := notice.FormatNamed(*format)
	if !ok {
		fmt.Fprintf(stderr, "reporter notice: --format must be csv, json or html, not %q\n", *format)
		return 2
	}
	reg, err := brand.LoadFile(*brands)
	if err != nil {
		fmt.Fprintf(stderr, "reporter notice: %v\n", err)
		return 2
	}
	b, ok := reg.Lookup(*brandID)
	if !ok {
		fmt.Fprintf(stderr, "reporter notice: brand %q is not in %s\n", *brandID, *brands)
		return 2
	}
	store, err := casestore.Open(ctx, *db)
	if err != nil {
		fmt.Fprintf(stderr, "reporter notice: %v\n", err)
		return 1
	}
	defer store.Close()
	opts := notice.Options{Cap: *limit, Signer: *signer}
	var notices []notice.Notice
	if *dryRun {
		notices, err = notice.Prepare(ctx, store, b, *marketplace, opts)
		if err != nil {
			fmt.Fprintf(stderr, "reporter notice: %v\n", err)
			return 1
		}
	} else {
		// Recorded first: a notice on disk that the database does not know
		// of could be sent twice.
		notices, err = notice.Issue(ctx, store, b, *marketplace, *actor, opts)
		var entries []account.Entry
		for _, n := range notices {
			entries = append(entries, account.Entry{Actor: *actor, Action: account.ActionNoticeBuild, Subject: "notice " + n.ID,
				Detail: fmt.Sprintf("%s on %s, %d listings", b.ID, *marketplace, len(n.Items))})
		}
		auditCLI(ctx, *db, stderr, entries...)
		if err != nil {
			fmt.Fprintf(stderr, "reporter notice: %v\n", err)
			if len(notices) == 0 {
				return 1
			}
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(stderr, "reporter notice: %v\n", err)
		return 1
	}
	for i := range notices {
		n := &notices[i]
		path := filepath.Join(*out, n.ID+"."+*format)
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(stderr, "reporter notice: %v\n", err)
			return 1
		}
		err = fmtr.Write(f, n)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			fmt.Fprintf(stderr, "reporter notice: write %s: %v\n", path, err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: %d listings\n", path, len(n.Items))
	}
	if !*dryRun {
		fmt.Fprintf(stdout, "recorded; enter each listing's outcome in the UI (/notices) or the API\n")
	}
	return 0
}
