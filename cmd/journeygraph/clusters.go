package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/journeys/profile"
)

// runClusters discovers segments: behaviour vectors at --as-of, k-means
// over the --k range, the scores of each k and the profiles of the chosen
// one, stored as the current clusters model with --save; --current prints
// the stored one instead.
func runClusters(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("clusters", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kRange := fs.String("k", "2-8", "range of k to try, such as 2-8")
	asOf := fs.String("as-of", "", "compute behaviour at this time (default now)")
	var q profile.Query
	fs.IntVar(&q.Restarts, "restarts", 4, "seeded k-means restarts per k")
	fs.Uint64Var(&q.Seed, "seed", 1, "random seed")
	fs.StringVar(&q.PersonPrefix, "person-prefix", "", "only people whose id starts with this")
	fs.IntVar(&q.MinSize, "min-size", 0, "flag clusters under this many people (default the minimum segment size)")
	fs.BoolVar(&q.Save, "save", false, "store the clustering as the current clusters model of --person-prefix")
	fs.BoolVar(&q.DBSCAN, "dbscan", false, "also run DBSCAN (eps from the k-distance curve; up to 20000 people)")
	current := fs.Bool("current", false, "print the stored clusters model of --person-prefix instead of fitting")
	asJSON := fs.Bool("json", false, "print JSON")
	steps := app.StepRulesFlag(fs)
	neo4j := app.Neo4jFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if q.KMin, q.KMax, err = profile.ParseKRange(*kRange); err != nil {
		return fmt.Errorf("--k: %w", err)
	}
	if q.AsOf, err = parseWhen("--as-of", *asOf); err != nil {
		return err
	}
	a, closeStore, err := openApp(ctx, *steps, neo4j, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	profiles := a.Profiles
	var d *profile.Discovery
	if *current {
		d, err = profiles.Current(ctx, q.PersonPrefix)
	} else {
		d, err = profiles.Discover(ctx, q)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, d)
	}
	return printDiscovery(stdout, d)
}

// printDiscovery prints the scores per k and the chosen k's profiles.
func printDiscovery(w io.Writer, d *profile.Discovery) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	sil := "exact"
	if d.Silhouette == "sampled" {
		sil = fmt.Sprintf("on a seeded sample of %d people", d.SilhouetteSample)
	}
	fmt.Fprintf(tw, "%d people at %s, %d features; k-means (k-means++, %d restarts, seed %d); silhouette %s\n",
		d.People, d.AsOf.Format("2006-01-02 15:04"), len(d.Features), d.Restarts, d.Seed, sil)
	if d.Fit != nil {
		fmt.Fprintf(tw, "k chosen on a seeded sample of %d people (scores below); k = %d then fitted on all %d: inertia %.1f, Calinski–Harabasz %.1f\n",
			d.SelectionSample, d.K, d.People, d.Fit.Inertia, d.Fit.CalinskiHarabasz)
	}
	if d.Version > 0 {
		fmt.Fprintf(tw, "stored as clusters model version %d\n", d.Version)
	}
	fmt.Fprintln(tw, hmmLine(d))
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "k\tinertia\tsilhouette\tCalinski–Harabasz\t")
	for _, s := range d.Scores {
		mark := ""
		if s.K == d.K {
			mark = "← chosen"
		}
		fmt.Fprintf(tw, "%d\t%.1f\t%.4f\t%.1f\t%s\n", s.K, s.Inertia, s.Silhouette, s.CalinskiHarabasz, mark)
	}
	fmt.Fprintln(tw, "\ncluster\tpeople\tshare\tlabel\tsets it apart (value, z)\t")
	for _, p := range d.Profiles {
		var parts []string
		for _, v := range p.Distinct[:min(profile.DistinctFeatures, len(p.Distinct))] {
			if v.Reading != "" {
				parts = append(parts, fmt.Sprintf("%s (p %.2f, %+.2f)", v.Reading, v.Value, v.Z))
				continue
			}
			parts = append(parts, fmt.Sprintf("%s %.3g (%+.2f)", v.Feature, v.Value, v.Z))
		}
		if more := len(p.Distinct) - profile.DistinctFeatures; more > 0 {
			parts = append(parts, fmt.Sprintf("%d more tied", more))
		}
		small := ""
		if p.Small {
			small = fmt.Sprintf("under %d people", d.MinSize)
		}
		fmt.Fprintf(tw, "%d\t%d\t%.1f%%\t%s\t%s\t%s\n", p.Index, p.Size, 100*p.Share, p.Label, strings.Join(parts, ", "), small)
	}
	if db := d.DBSCAN; db != nil {
		fmt.Fprintf(tw, "\nDBSCAN (eps %.3f from the k-distance curve, min_samples %d): %d clusters of %v people, %d noise\n",
			db.Eps, db.MinSamples, db.Clusters, db.Sizes, db.Noise)
	}
	fmt.Fprint(tw, "\nfeature\tunit\tmean\tsd\tmin\tmax")
	for _, p := range d.Profiles {
		fmt.Fprintf(tw, "\tcluster %d", p.Index)
	}
	fmt.Fprintln(tw)
	for j, f := range d.Features {
		fmt.Fprintf(tw, "%s\t%s\t%.3g\t%.3g\t%.3g\t%.3g", f.Name, f.Unit, f.Mean, f.SD, f.Min, f.Max)
		for _, p := range d.Profiles {
			fmt.Fprintf(tw, "\t%.3g", p.Centroid[j].Value)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// hmmLine says whether the states of a hidden-state model were features.
func hmmLine(d *profile.Discovery) string {
	if !d.HMMFeatures {
		return "hidden-state features: none (no hidden-state model for the prefix; journeygraph fit makes one)"
	}
	states := 0
	for _, f := range d.Features {
		if f.HMMState != nil {
			states++
		}
	}
	return fmt.Sprintf("hidden-state features: the %d states of hidden-state model version %d", states, d.HMMVersion)
}
