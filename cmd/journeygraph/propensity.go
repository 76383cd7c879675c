package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/propensity"
	"github.com/journeygraph/journeygraph/markov/logit"
)

// runPropensity fits a supervised propensity model and prints its
// out-of-time validation next to the chain-state propensity ("fit"), or
// prints the stored report ("show").
func runPropensity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "fit" && args[0] != "show") {
		fmt.Fprintln(stderr, "usage: journeygraph propensity fit|show [flags]")
		return errors.New("propensity: want fit or show")
	}
	sub := args[0]
	fs := flag.NewFlagSet("propensity "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var q propensity.Query
	fs.StringVar(&q.Target, "target", propensity.TargetConvert, "convert or unsubscribe")
	fs.StringVar(&q.PersonPrefix, "person-prefix", "", "only people whose id starts with this (the model's scope)")
	horizon := fs.String("horizon", "30d", "H: a label is the target step within H after a cutoff")
	cutoff := fs.String("cutoff", "", "T1, the training cutoff (default now minus twice the horizon); the test cutoff is T1 + H")
	fs.StringVar(&q.Step, "step", "", "the step that labels the target (default purchase or unsubscribe)")
	fs.Float64Var(&q.C, "c", 1, "inverse L2 regularisation strength, as scikit-learn's C")
	dryRun := fs.Bool("dry-run", false, "validate only: store nothing and write no score")
	asJSON := fs.Bool("json", false, "print JSON")
	steps := app.StepRulesFlag(fs)
	neo4j := app.Neo4jFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	h, err := journeys.ParseDuration(*horizon)
	if err != nil {
		return fmt.Errorf("--horizon: %s", journeys.ErrorMessage(err))
	}
	q.Horizon = time.Duration(h)
	if q.Cutoff, err = parseWhen("--cutoff", *cutoff); err != nil {
		return err
	}
	q.Save = !*dryRun
	a, closeStore, err := openApp(ctx, *steps, neo4j, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	svc := a.Propensity
	var rep *propensity.Report
	if sub == "show" {
		rep, err = svc.Current(ctx, q.Target, q.PersonPrefix)
	} else {
		rep, err = svc.Fit(ctx, q)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, rep)
	}
	return printPropensity(stdout, rep)
}

// printPropensity prints a validation report: the samples, the two
// scores' figures side by side, calibration by decile, precision and
// recall per threshold, and the coefficients.
func printPropensity(w io.Writer, r *propensity.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	day := "2006-01-02 15:04"
	fmt.Fprintf(tw, "P(%s within %s): step %s, logistic regression (L2, C=%g)\n", r.Target, r.Horizon, r.Step, r.C)
	fmt.Fprintf(tw, "train at %s: %d people, %d positive; test at %s: %d people, %d positive\n\n",
		r.TrainCutoff.Format(day), r.Train.People, r.Train.Positives, r.TestCutoff.Format(day), r.Test.People, r.Test.Positives)
	chain := r.Chain
	if chain == nil {
		chain = &propensity.Validation{}
	}
	fmt.Fprintln(tw, "out of time\tmodel\tchain state (current p_"+r.Target+")\t")
	fmt.Fprintf(tw, "AUC\t%.4f\t%.4f\t\n", r.Model.AUC, chain.AUC)
	fmt.Fprintf(tw, "log-loss\t%.4f\t%.4f\t\n", r.Model.LogLoss, chain.LogLoss)
	fmt.Fprintf(tw, "winner\t%s\t\t\n\n", r.Winner)
	fmt.Fprintln(tw, "threshold\tmodel: flagged\tprecision\trecall\tchain: flagged\tprecision\trecall\t")
	for i, t := range r.Model.Thresholds {
		var c logit.Threshold
		if i < len(chain.Thresholds) {
			c = chain.Thresholds[i]
		}
		fmt.Fprintf(tw, "%.1f\t%d\t%.3f\t%.3f\t%d\t%.3f\t%.3f\t\n", t.Threshold, t.Predicted, t.Precision, t.Recall, c.Predicted, c.Precision, c.Recall)
	}
	fmt.Fprintln(tw, "\ndecile\tpeople\tpredicted\tobserved\t")
	for i, b := range r.Model.Calibration {
		fmt.Fprintf(tw, "%d\t%d\t%.4f\t%.4f\t\n", i+1, b.Count, b.Predicted, b.Observed)
	}
	fmt.Fprintln(tw, "\nfeature (standardised)\tweight\t")
	for _, c := range r.Coefficients {
		fmt.Fprintf(tw, "%s\t%+.4f\t\n", c.Feature, c.Weight)
	}
	fmt.Fprintf(tw, "intercept\t%+.4f\t\n", r.Intercept)
	switch {
	case r.Version > 0 && r.Written > 0:
		fmt.Fprintf(tw, "\nstored as propensity_%s model version %d; refitted at %s and wrote p_%s on %d people (their behaviour at %s)\n",
			r.Target, r.Version, r.TestCutoff.Format(day), r.Target, r.Written, r.ScoredAt.Format(day))
	case r.Version > 0:
		fmt.Fprintf(tw, "\nstored as propensity_%s model version %d; wrote no score (the chain-state propensity validates better)\n", r.Target, r.Version)
	}
	return tw.Flush()
}
