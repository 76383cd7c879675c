package propensity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/sirupsen/logrus"
	"gonum.org/v1/gonum/mat"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov/cluster"
	"github.com/journeygraph/journeygraph/markov/logit"
)

// ModelStore keeps propensity models and their reports (kind Kind(target),
// one current model per scope): the part of journeys.ModelStore they use.
type ModelStore interface {
	CreateModel(ctx context.Context, m journeys.ModelRecord) (int, error)
	FinishModel(ctx context.Context, kind, scope string, version int, sizes []int) error
	CurrentModel(ctx context.Context, kind, scope string) (journeys.ModelRecord, error)
}

// ScoreWriter writes a model's scores on people.
type ScoreWriter interface {
	// WritePropensities sets p_convert or p_unsubscribe (by target) and the
	// model version on the people of rows, in one transaction.
	WritePropensities(ctx context.Context, target string, version int, rows []journeys.PersonPropensity) error
}

// Service fits, validates and stores propensity models.
type Service struct {
	Touches  journeys.TouchReader
	Outbound journeys.OutboundFunc // the outbound steps in force (excluded from the vectors)
	Models   ModelStore            // nil: Save is refused
	Scores   ScoreWriter           // nil: Save is refused
	Now      func() time.Time      // time.Now when nil
	Log      logrus.FieldLogger    // nil: discard
	// BatchSize is the number of people written per transaction (1000 when 0).
	BatchSize int
}

// Fit fits the model of q at q.Cutoff, validates it on the next window
// next to the chain-state propensity and, with q.Save, stores it with its
// report and, when it wins, refits it on the latest window and writes its
// scores. Errors: EINVALID for a bad query; ENOTFOUND when nobody is in
// scope or a window has a single class; EUNAVAILABLE when the store
// cannot be reached.
func (s *Service) Fit(ctx context.Context, q Query) (*Report, error) {
	now := s.now()
	if err := q.Normalize(now); err != nil {
		return nil, err
	}
	if q.Save && (s.Models == nil || s.Scores == nil) {
		return nil, journeys.Errorf(journeys.EINTERNAL, "propensity: no model store to save in")
	}
	start := time.Now()
	t1, t2, t3 := q.Cutoff, q.Cutoff.Add(q.Horizon), q.Cutoff.Add(2*q.Horizon)
	labels, err := s.labels(ctx, q, t1, t3)
	if err != nil {
		return nil, err
	}
	scorer := s.stateScorer(ctx, q)
	train, err := s.window(ctx, q, t1, nil, scorer)
	if err != nil {
		return nil, err
	}
	test, err := s.window(ctx, q, t2, train.features, scorer)
	if err != nil {
		return nil, err
	}
	rep := &Report{Target: q.Target, Step: q.Step, Horizon: horizon(q.Horizon), Scope: q.PersonPrefix,
		TrainCutoff: t1, TestCutoff: t2, C: q.C, FittedAt: now.UTC()}
	ytrain, ytest := train.labels(labels, t1, t2), test.labels(labels, t2, t3)
	rep.Train, rep.Test = sample(ytrain), sample(ytest)
	m, err := fit(train, ytrain, q)
	if err != nil {
		return nil, fmt.Errorf("propensity: train window at %s: %w", t1.Format(time.RFC3339), err)
	}
	rep.Intercept = m.Intercept
	for j, f := range m.Features {
		rep.Coefficients = append(rep.Coefficients, Coefficient{Feature: f, Weight: m.Coef[j]})
	}
	slices.SortStableFunc(rep.Coefficients, func(a, b Coefficient) int {
		return -cmpFloat(math.Abs(a.Weight), math.Abs(b.Weight))
	})
	if rep.Model, err = validate(m.predict(test), ytest, 0); err != nil {
		return nil, fmt.Errorf("propensity: test window at %s: %w", t2.Format(time.RFC3339), err)
	}
	rep.Winner = "model"
	if test.chain != nil {
		v, err := validate(test.chainScores(q.Target), ytest, test.chainMissing)
		if err != nil {
			return nil, err
		}
		rep.Chain = &v
		if v.AUC >= rep.Model.AUC {
			rep.Winner = "chain"
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	if q.Save {
		if err := s.save(ctx, q, rep, test, ytest, t3); err != nil {
			return nil, err
		}
	}
	s.log().WithFields(logrus.Fields{"target": q.Target, "auc": rep.Model.AUC, "winner": rep.Winner,
		"version": rep.Version, "written": rep.Written}).Info("propensity fitted")
	return rep, nil
}

// save refits the model on the test window when it won, scores everyone
// at t3 and writes the scores, then stores the model and the report.
func (s *Service) save(ctx context.Context, q Query, rep *Report, test *window, ytest []float64, t3 time.Time) error {
	var final *model
	var latest *window
	if rep.Winner == "model" {
		var err error
		if final, err = fit(test, ytest, q); err != nil {
			return fmt.Errorf("propensity: refit at %s: %w", rep.TestCutoff.Format(time.RFC3339), err)
		}
		if latest, err = s.window(ctx, q, t3, final.Features, test.states); err != nil {
			return err
		}
		rep.ScoredAt = t3
	}
	stored := Model{Target: q.Target, Step: q.Step, Horizon: rep.Horizon, Cutoff: rep.TestCutoff, C: q.C}
	if final != nil {
		stored.Features, stored.Scales, stored.Coef, stored.Intercept = final.Features, final.Scales, final.Coef, final.Intercept
	}
	mj, err := json.Marshal(stored)
	if err != nil {
		return fmt.Errorf("propensity: %w", err)
	}
	rec := journeys.ModelRecord{Kind: Kind(q.Target), Scope: q.PersonPrefix, FittedAt: rep.FittedAt, HMM: string(mj),
		States: []journeys.StateRecord{{Index: 0, Label: "scored"}}}
	var scores []float64
	if latest != nil {
		scores = final.predict(latest)
		rep.Written = len(latest.people)
	}
	// The report is stored with the model; a version whose scores fail to
	// be written is never made current.
	if rec.Meta, err = reportJSON(rep); err != nil {
		return err
	}
	version, err := s.Models.CreateModel(ctx, rec)
	if err != nil {
		return fmt.Errorf("propensity: %w", err)
	}
	rep.Version = version
	if latest != nil {
		if err := s.write(ctx, q.Target, version, latest.people, scores); err != nil {
			return err
		}
	}
	if err := s.Models.FinishModel(ctx, rec.Kind, rec.Scope, version, []int{rep.Written}); err != nil {
		return fmt.Errorf("propensity: %w", err)
	}
	return nil
}

func reportJSON(rep *Report) (string, error) {
	b, err := json.Marshal(rep)
	if err != nil {
		return "", fmt.Errorf("propensity: %w", err)
	}
	return string(b), nil
}

// write stores the scores in batches.
func (s *Service) write(ctx context.Context, target string, version int, people []string, p []float64) error {
	size := s.BatchSize
	if size <= 0 {
		size = 1000
	}
	rows := make([]journeys.PersonPropensity, 0, size)
	for i, id := range people {
		rows = append(rows, journeys.PersonPropensity{Person: id, P: p[i]})
		if len(rows) == size || i == len(people)-1 {
			if err := s.Scores.WritePropensities(ctx, target, version, rows); err != nil {
				return fmt.Errorf("propensity: write scores: %w", err)
			}
			rows = rows[:0]
		}
	}
	return nil
}

// Current returns the report of the current model of a target and scope.
// Errors: EINVALID for an unknown target, ENOTFOUND when none was saved.
func (s *Service) Current(ctx context.Context, target, scope string) (*Report, error) {
	if target == "" {
		target = TargetConvert
	}
	if target != TargetConvert && target != TargetUnsubscribe {
		return nil, journeys.InvalidField("target", "unknown target %s (want convert or unsubscribe)", journeys.Quote(target))
	}
	if s.Models == nil {
		return nil, journeys.Errorf(journeys.ENOTFOUND, "no propensity model store")
	}
	rec, err := s.Models.CurrentModel(ctx, Kind(target), scope)
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal([]byte(rec.Meta), &rep); err != nil {
		return nil, journeys.Errorf(journeys.EINTERNAL, "propensity model %d: %v", rec.Version, err)
	}
	rep.Version = rec.Version
	return &rep, nil
}

// model is a fitted logistic regression over named, scaled features.
type model struct {
	Features []string
	Scales   []cluster.Scale
	*logit.Model
}

// fit standardises w's features and fits the regression.
func fit(w *window, y []float64, q Query) (*model, error) {
	z, scales, _ := cluster.Standardize(w.x, w.log)
	lm, err := logit.Fit(z, y, logit.Settings{C: q.C})
	if errors.Is(err, logit.ErrOneClass) {
		return nil, journeys.Errorf(journeys.ENOTFOUND, "every one of the %d people has the same label: nothing to learn", len(y))
	}
	if err != nil {
		return nil, journeys.Errorf(journeys.EINTERNAL, "%v", err)
	}
	return &model{Features: w.features, Scales: scales, Model: lm}, nil
}

// predict scores w's rows (in the model's feature order: w was built
// with it).
func (m *model) predict(w *window) []float64 {
	n, d := w.x.Dims()
	z := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			z.Set(i, j, m.Scales[j].Apply(w.x.At(i, j)))
		}
	}
	return m.Predict(nil, z)
}

// validate computes the figures of one score.
func validate(p, y []float64, missing int) (Validation, error) {
	auc, err := logit.AUC(p, y)
	if err != nil {
		return Validation{}, journeys.Errorf(journeys.ENOTFOUND, "propensity: every one of the %d test people has the same label", len(y))
	}
	return Validation{AUC: auc, LogLoss: logit.LogLoss(p, y), Calibration: logit.Calibration(p, y, 10),
		Thresholds: logit.PrecisionRecall(p, y, logit.DefaultThresholds), Missing: missing}, nil
}

func sample(y []float64) Sample {
	s := Sample{People: len(y)}
	for _, v := range y {
		if v == 1 {
			s.Positives++
		}
	}
	return s
}

func horizon(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() logrus.FieldLogger {
	if s.Log != nil {
		return s.Log
	}
	l := logrus.New()
	l.Out = io.Discard
	return l
}
