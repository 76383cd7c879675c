package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// Neo4jFlags registers the Neo4j connection flags; each defaults to its
// environment variable, so flags win over the environment.
func Neo4jFlags(fs *flag.FlagSet) *graph.Config {
	cfg := &graph.Config{}
	fs.StringVar(&cfg.URI, "neo4j-uri", Env("NEO4J_URI", "bolt://127.0.0.1:"+Env("NEO4J_BOLT_PORT", "7687")), "Neo4j URI (NEO4J_URI)")
	fs.StringVar(&cfg.User, "neo4j-user", Env("NEO4J_USER", "neo4j"), "Neo4j user (NEO4J_USER)")
	SecretVar(fs, &cfg.Password, "neo4j-password", "NEO4J_PASSWORD", localPassword(), ".neo4j/password",
		"Neo4j `password` (NEO4J_PASSWORD; default: .neo4j/password of scripts/neo4j.sh)")
	fs.StringVar(&cfg.Database, "neo4j-database", Env("NEO4J_DATABASE", "neo4j"), "Neo4j database (NEO4J_DATABASE)")
	return cfg
}

// SecretVar registers the flag name holding a secret (a password, keys):
// its default is the environment variable env, else def (read from the
// file named defFrom), and -h says where the default comes from, never
// what it is.
func SecretVar(fs *flag.FlagSet, p *string, name, env, def, defFrom, usage string) {
	from := ""
	switch {
	case os.Getenv(env) != "":
		*p, from = os.Getenv(env), "from "+env
	case def != "":
		*p, from = def, "from "+defFrom
	}
	fs.Var(&secretValue{p: p, from: from}, name, usage)
}

// secretValue is a flag.Value whose String says where the value comes
// from, so that flag's usage shows no secret.
type secretValue struct {
	p    *string
	from string // "from NEO4J_PASSWORD"; "" when unset
}

// String returns where the default came from ("" when there is none).
func (v *secretValue) String() string {
	if v == nil || v.p == nil || *v.p == "" {
		return ""
	}
	if v.from == "" {
		return "(set)"
	}
	return v.from
}

// Set sets the secret.
func (v *secretValue) Set(s string) error {
	*v.p, v.from = s, "(set)"
	return nil
}

// OpenStore connects to Neo4j with cfg and the logger, giving up after a
// minute.
func OpenStore(ctx context.Context, cfg *graph.Config, log logrus.FieldLogger) (*graph.Store, error) {
	cfg.Log = log
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return graph.Open(ctx, *cfg)
}

// StepRulesFlag registers --steps, a JSON file of step rules.
func StepRulesFlag(fs *flag.FlagSet) *string {
	return fs.String("steps", Env("JOURNEYGRAPH_STEPS", ""), "JSON file of step rules (default: the rules saved by the server, else the built-in rules)")
}

// RulesInForce returns the rules of the --steps file when path is set;
// else the server's saved rules (edited in the app), if any; else the
// built-in rules.
func RulesInForce(ctx context.Context, path string, store *graph.Store) (journeys.StepRules, error) {
	if path == "" {
		saved, err := store.StepRules(graph.ServerRules).LoadStepRules(ctx)
		if err != nil {
			return journeys.StepRules{}, err
		}
		if saved.Version > 0 {
			return saved.StepRules, nil
		}
	}
	return LoadStepRules(path)
}

// LoadStepRules reads the rules file, or returns the built-in rules for "".
func LoadStepRules(path string) (journeys.StepRules, error) {
	if path == "" {
		return journeys.DefaultStepRules(), nil
	}
	return journeys.LoadStepRules(path)
}

// Mapping returns the column mapping of the preset or of the JSON file at
// path (at most one of them; neither: detected from each file's header).
func Mapping(preset, path string) (ingest.Mapping, error) {
	switch {
	case preset != "" && path != "":
		return ingest.Mapping{}, fmt.Errorf("import: give --preset or --mapping, not both")
	case preset != "":
		m, ok := ingest.Preset(preset)
		if !ok {
			return m, fmt.Errorf("import: --preset %q is not one of %s", preset, strings.Join(ingest.PresetNames(), ", "))
		}
		return m, nil
	case path != "":
		return ingest.LoadMapping(path)
	}
	return ingest.Mapping{}, nil
}

// NewLogger returns a text logger writing to w, at the level of
// JOURNEYGRAPH_LOG_LEVEL (info by default).
func NewLogger(w io.Writer) *logrus.Logger {
	l := logrus.New()
	l.Out = w
	l.Formatter = &logrus.TextFormatter{DisableColors: true, FullTimestamp: true}
	if lvl, err := logrus.ParseLevel(Env("JOURNEYGRAPH_LOG_LEVEL", "info")); err == nil {
		l.Level = lvl
	}
	return l
}

// Env returns the environment variable key, or def when it is unset or
// empty.
func Env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// localPassword is the password scripts/neo4j.sh generated, when the
// command runs from the repository (or a folder below it).
func localPassword() string {
	dir, _ := os.Getwd()
	for i := 0; i < 4 && dir != ""; i++ {
		if b, err := os.ReadFile(filepath.Join(dir, ".neo4j", "password")); err == nil {
			return strings.TrimSpace(string(b))
		}
		dir = filepath.Dir(dir)
	}
	return ""
}
