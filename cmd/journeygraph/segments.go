package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/export"
	"github.com/journeygraph/journeygraph/journeys/survival"
	"github.com/journeygraph/journeygraph/journeys/uplift"
)

const segmentsUsage = `usage: journeygraph segments <command> [flags] [args]

commands:
  list                       segments with version and size
  show NAME                  a segment's definition (JSON)
  save FILE                  store a definition (JSON file) and evaluate it
  preview NAME | --file F    count and sample without storing (--as-of, --sample)
  refresh [NAME...]          re-evaluate (every segment when no name) for everyone
                             (save, preview, refresh: --engine memory|cypher)
  members NAME               current members (--limit, --after; --at for a past time, with reasons)
  export NAME                every member as CSV on stdout
  history NAME               ENTERED/LEFT records (--person, --limit)
  uplift NAME                conversion within --days of entry, treated vs the holdout's
                             control (--step, --from, --to, --json)
  survival NAME              Kaplan–Meier time from entry (--start first_seen: from first
                             seen) to --step, censored at --as-of; --vs SEGMENT adds its
                             curve and the log-rank test (--json: the curves' points)
`

// runSegments is the CLI twin of the /api/v1/segments routes, straight on
// the store.
func runSegments(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, segmentsUsage)
		return fmt.Errorf("segments: no command")
	}
	cmd := args[0]
	fs := flag.NewFlagSet("segments "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := app.Neo4jFlags(fs)
	file := fs.String("file", "", "preview: a definition file instead of a stored segment")
	asOf := fs.String("as-of", "", "preview, refresh: evaluate at this time; survival: censor at this time (RFC 3339; default now)")
	at := fs.String("at", "", "members: the members at this past time, with why they entered")
	sample := fs.Int("sample", 20, "preview: ids to show")
	limit := fs.Int("limit", 100, "members, history: rows")
	after := fs.String("after", "", "members: start after this person id")
	person := fs.String("person", "", "history: one person's records")
	days := fs.Int("days", uplift.DefaultDays, "uplift: days after entry that a conversion counts")
	step := fs.String("step", uplift.DefaultStep, "uplift: the conversion step")
	from := fs.String("from", "", "uplift: entries from this time (RFC 3339)")
	to := fs.String("to", "", "uplift: entries before this time (RFC 3339)")
	asJSON := fs.Bool("json", false, "uplift, survival: JSON instead of a table")
	vs := fs.String("vs", "", "survival: a second segment to compare with (log-rank)")
	start := fs.String("start", survival.FromEntry, "survival: time counted from entry or first_seen")
	engine := fs.String("engine", "memory", "save, preview, refresh: evaluate from the journeys loaded in memory (memory) or in Neo4j's Cypher (cypher, the reference)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	needName := map[string]bool{"show": true, "members": true, "export": true, "history": true, "save": true, "uplift": true, "survival": true}
	if needName[cmd] && fs.NArg() != 1 {
		return fmt.Errorf("segments %s: want one argument", cmd)
	}
	store, err := app.OpenStore(ctx, cfg, app.NewLogger(stderr))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	rules, err := app.RulesInForce(ctx, "", store)
	if err != nil {
		return err
	}
	evaluates := map[string]bool{"save": true, "preview": true, "refresh": true}
	if *engine != "memory" && *engine != "cypher" {
		return fmt.Errorf("segments %s: --engine %q: want memory or cypher", cmd, *engine)
	}
	a := app.New(store, app.Config{Rules: rules, Cache: evaluates[cmd] && *engine == "memory"})
	sg := a.Segmenter
	if evaluates[cmd] {
		if a.Cache == nil {
			fmt.Fprintln(stderr, "engine: cypher (evaluated in Neo4j)")
		} else {
			start := time.Now()
			if err := a.Cache.Load(ctx); err != nil {
				return err
			}
			people, events := a.Cache.Stats()
			fmt.Fprintf(stderr, "engine: memory (journeys of %d people, %d events loaded in %v)\n", people, events, time.Since(start).Round(time.Millisecond))
		}
	}
	out := json.NewEncoder(stdout)
	out.SetIndent("", "  ")
	parseTime := func(s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		return journeys.ParseTime(s)
	}
	switch cmd {
	case "list":
		segs, err := store.Segments(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tVERSION\tMEMBERS\tBUILT-IN\tDESCRIPTION")
		for _, s := range segs {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%v\t%s\n", s.Name, s.Version, s.Members, s.BuiltIn, s.Description)
		}
		return tw.Flush()
	case "show":
		s, err := store.Segment(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		return out.Encode(s)
	case "save":
		b, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		seg, err := journeys.ParseSegment(b)
		if err != nil {
			return err
		}
		saved, res, err := sg.Save(ctx, seg)
		if err != nil {
			return err
		}
		return out.Encode(map[string]any{"segment": saved, "refresh": res})
	case "preview":
		var seg journeys.Segment
		if *file != "" {
			b, err := os.ReadFile(*file)
			if err != nil {
				return err
			}
			if seg, err = journeys.ParseSegment(b); err != nil {
				return err
			}
		} else if fs.NArg() == 1 {
			if seg, err = store.Segment(ctx, fs.Arg(0)); err != nil {
				return err
			}
		} else {
			return fmt.Errorf("segments preview: give a NAME or --file")
		}
		t, err := parseTime(*asOf)
		if err != nil {
			return err
		}
		pv, err := sg.Preview(ctx, seg, t, *sample)
		if err != nil {
			return err
		}
		return out.Encode(pv)
	case "refresh":
		t, err := parseTime(*asOf)
		if err != nil {
			return err
		}
		res, err := sg.Refresh(ctx, fs.Args(), journeys.SegmentScope{}, "manual", t)
		if len(res) > 0 {
			// Those refreshed, and the failed ones with their error.
			if e := out.Encode(res); e != nil {
				return e
			}
		}
		return err
	case "members":
		t, err := parseTime(*at)
		if err != nil {
			return err
		}
		var page []journeys.Member
		if t.IsZero() {
			page, err = store.MembersPage(ctx, fs.Arg(0), *after, *limit)
		} else {
			page, err = store.MembersAt(ctx, fs.Arg(0), t, *after, *limit)
		}
		if err != nil {
			return err
		}
		return out.Encode(page)
	case "export":
		w := export.NewCSV(stdout)
		_ = w.Write(export.MembersHeader)
		next := ""
		for {
			page, err := store.MemberContacts(ctx, fs.Arg(0), next, 5000)
			if err != nil {
				return err
			}
			for _, m := range page {
				_ = w.Write(export.MemberRow(m))
			}
			if len(page) < 5000 {
				w.Flush()
				return w.Error()
			}
			next = page[len(page)-1].Person
		}
	case "history":
		h, err := store.History(ctx, fs.Arg(0), journeys.HistoryQuery{Person: *person, Limit: *limit})
		if err != nil {
			return err
		}
		return out.Encode(h)
	case "uplift":
		if *days < 1 { // 0 would mean the default
			return journeys.Errorf(journeys.EINVALID, "segments uplift: --days: %d is not from 1 to %d", *days, uplift.MaxDays)
		}
		q := uplift.Query{Segment: fs.Arg(0), Step: *step, Days: *days}
		if q.From, err = parseTime(*from); err != nil {
			return fmt.Errorf("segments uplift: --from: %w", err)
		}
		if q.To, err = parseTime(*to); err != nil {
			return fmt.Errorf("segments uplift: --to: %w", err)
		}
		rep, err := uplift.Compute(ctx, store, store, q)
		if err != nil {
			return err
		}
		if *asJSON {
			return out.Encode(rep)
		}
		return printUplift(stdout, rep)
	case "survival":
		if *start != survival.FromEntry && *start != survival.FromFirstSeen {
			return journeys.Errorf(journeys.EINVALID, "segments survival: --start: %q is not %s or %s", *start, survival.FromEntry, survival.FromFirstSeen)
		}
		q := survival.Query{Segment: fs.Arg(0), Vs: *vs, Step: *step, From: *start}
		if q.AsOf, err = parseTime(*asOf); err != nil {
			return fmt.Errorf("segments survival: --as-of: %w", err)
		}
		rep, err := survival.Compute(ctx, store, store, q)
		if err != nil {
			return err
		}
		if *asJSON {
			return out.Encode(rep)
		}
		return printSurvival(stdout, rep)
	}
	fmt.Fprint(stderr, segmentsUsage)
	return fmt.Errorf("segments: unknown command %q", cmd)
}
