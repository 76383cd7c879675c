# journeygraph: the two commands of the README are `make run` and `make test`.
GO    ?= go
NEO4J := scripts/neo4j.sh
# Run Go with the local Neo4j's settings unless NEO4J_URI points elsewhere.
WITH_NEO4J = if [ -z "$$NEO4J_URI" ]; then eval "$$($(NEO4J) env)"; fi;

.PHONY: run test build neo4j-start neo4j-stop chromium check bench bench-ingest bench-members

## run: start Neo4j, load the demo data, serve on http://127.0.0.1:8080
run: build neo4j-start
	@$(WITH_NEO4J) ./bin/journeygraph demo

## test: vet, format check, and every test against the real Neo4j and a real headless Chromium
test: neo4j-start chromium check
	@$(WITH_NEO4J) CHROMIUM=$$(scripts/chromium.sh) $(GO) test -count=1 -timeout 20m ./...

build:
	$(GO) build -o bin/journeygraph ./cmd/journeygraph

check:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

# Starts the project's own Neo4j unless NEO4J_URI names another server.
neo4j-start:
	@if [ -z "$$NEO4J_URI" ]; then $(NEO4J) start; fi

neo4j-stop:
	$(NEO4J) stop

# Debian's Chromium for the browser tests (installed with apt-get when missing).
chromium:
	@scripts/chromium.sh >/dev/null

## bench-ingest: ingest throughput, full path model vs a bare CREATE baseline
bench-ingest: build neo4j-start
	@$(WITH_NEO4J) ./bin/journeygraph bench ingest

## bench-members: members lookup at 2,000 requests/s from another process (vegeta), p50/p99
bench-members: neo4j-start
	@scripts/bench-members.sh unsubscribed 2000 10s
