# kith's entry points. `make demo` and `make test` are all a new machine needs.
GO      ?= go
BIN     := bin/kith
DEMO_DB ?= kith-demo.db

.PHONY: all build demo test lint bench clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/kith

# A demo shop in $(DEMO_DB): builds kith, generates and imports the shop,
# prints its headline figures, scores every customer (CLV, churn risk) and
# shows one customer.
demo: build
	./$(BIN) demo --db $(DEMO_DB) --force
	./$(BIN) clv score --db $(DEMO_DB) --top 5
	./$(BIN) customer show C000001 --db $(DEMO_DB)

# Lint, then every test with the race detector. PostgreSQL tests run when
# KITH_TEST_POSTGRES_URL is set (.ci/run sets it; CI=true makes it required).
test: lint
	$(GO) test -race -timeout 20m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# The recorded benchmarks (docs/benchmarks.md). KITH_BENCH_ORDERS sets the
# orders file size (default 300k; the recorded run used 5000000).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./internal/importer/ ./internal/store/

clean:
	rm -rf bin $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
