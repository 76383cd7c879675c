package main

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
)

// neo4jFlags registers the Neo4j connection flags; each defaults to its
// environment variable, so flags win over the environment.
func neo4jFlags(fs *flag.FlagSet) *graph.Config {
	cfg := &graph.Config{}
	fs.StringVar(&cfg.URI, "neo4j-uri", env("NEO4J_URI", "bolt://127.0.0.1:"+env("NEO4J_BOLT_PORT", "7687")), "Neo4j URI (NEO4J_URI)")
	fs.StringVar(&cfg.User, "neo4j-user", env("NEO4J_USER", "neo4j"), "Neo4j user (NEO4J_USER)")
	fs.StringVar(&cfg.Password, "neo4j-password", env("NEO4J_PASSWORD", localPassword()), "Neo4j password (NEO4J_PASSWORD; default: .neo4j/password of scripts/neo4j.sh)")
	fs.StringVar(&cfg.Database, "neo4j-database", env("NEO4J_DATABASE", "neo4j"), "Neo4j database (NEO4J_DATABASE)")
	return cfg
}

// openStore connects to Neo4j with cfg and the logger.
func openStore(ctx context.Context, cfg *graph.Config, log logrus.FieldLogger) (*graph.Store, error) {
	cfg.Log = log
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return graph.Open(ctx, *cfg)
}

// stepRulesFlag registers --steps, a JSON file of step rules.
func stepRulesFlag(fs *flag.FlagSet) *string {
	return fs.String("steps", env("JOURNEYGRAPH_STEPS", ""), "JSON file of step rules (default: the rules saved by the server, else the built-in rules)")
}

// rulesInForce returns the rules of the --steps file when path is set;
// else the server's saved rules (edited in the app) when store keeps
// them; else the built-in rules.
func rulesInForce(ctx context.Context, path string, store any) (journeys.StepRules, error) {
	if gs, ok := store.(*graph.Store); ok && path == "" {
		saved, err := gs.StepRules(graph.ServerRules).LoadStepRules(ctx)
		if err != nil {
			return journeys.StepRules{}, err
		}
		if saved.Version > 0 {
			return saved.StepRules, nil
		}
	}
	return loadStepRules(path)
}

// loadStepRules reads the rules file, or returns the defaults for "".
func loadStepRules(path string) (journeys.StepRules, error) {
	if path == "" {
		return journeys.DefaultStepRules(), nil
	}
	return journeys.LoadStepRules(path)
}

func newLogger(w io.Writer) *logrus.Logger {
	l := logrus.New()
	l.Out = w
	l.Formatter = &logrus.TextFormatter{DisableColors: true, FullTimestamp: true}
	if lvl, err := logrus.ParseLevel(env("JOURNEYGRAPH_LOG_LEVEL", "info")); err == nil {
		l.Level = lvl
	}
	return l
}

func env(key, def string) string {
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
