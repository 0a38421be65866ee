# kith's entry points. `make demo` and `make test` are all a new machine needs.
GO      ?= go
BIN     := bin/kith
DEMO_DB ?= kith-demo.db

ADDR    ?= :8080
VENDOR  := internal/web/static/vendor

.PHONY: all build assets demo test lint bench bench-smoke bench-serve clean

all: build

# ECharts and htmx come from npm at the versions package-lock.json pins and
# are copied into the folder the binary embeds.
assets: $(VENDOR)/echarts.min.js $(VENDOR)/htmx.min.js

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/echarts.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR) && cp node_modules/echarts/dist/echarts.min.js $@

$(VENDOR)/htmx.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR) && cp node_modules/htmx.org/dist/htmx.min.js $@

build: assets
	$(GO) build -o $(BIN) ./cmd/kith

# A demo shop in $(DEMO_DB): builds kith, generates and imports the shop,
# prints its headline figures, scores every customer (CLV, churn risk),
# shows one customer, then serves the web UI on $(ADDR) until Ctrl+C.
demo: build
	./$(BIN) demo --db $(DEMO_DB) --force
	./$(BIN) clv score --db $(DEMO_DB) --top 5
	./$(BIN) customer show C000001 --db $(DEMO_DB)
	./$(BIN) serve --db $(DEMO_DB) --addr $(ADDR) --sign-in-hint "owner@demo.kith / kith-demo"

# Lint, then every test with the race detector. PostgreSQL tests run when
# KITH_TEST_POSTGRES_URL is set (.ci/run sets it; CI=true makes it required).
test: assets lint
	$(GO) test -race -timeout 20m ./...
	$(MAKE) --no-print-directory bench-smoke

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# The recorded benchmarks (docs/benchmarks.md). KITH_BENCH_ORDERS sets the
# orders file size (default 300k; the recorded run used 5000000).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./internal/importer/ ./internal/store/

# Every benchmark that writes to or reads from a store, once on a few rows
# (about 10 s): a benchmark broken by a change to the store (a statement's
# arguments) fails the tests instead of the day its figure is wanted.
bench-smoke:
	KITH_BENCH_ROWS=20000 KITH_BENCH_ORDERS=20000 KITH_BENCH_SHOP=2000 \
	  $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 10m ./internal/store/ ./internal/importer/ ./internal/report/

# The server benchmark: a 100k-customer / ~1M-order demo shop, then 60 s at
# 200 requests/s of the customer 360 and of the dashboard API from a load
# generator in another process, and the dashboard drawn in Chromium.
LOAD_DB ?= bench-100k.db
bench-serve: build
	test -f $(LOAD_DB) || ./$(BIN) demo --db $(LOAD_DB) --customers 100000 --intensity 3 --dropout 0.08 --lines=false --seed 3 --end 2026-10-31
	KITH_LOAD_DB=$(LOAD_DB) $(GO) test -run '^TestServeLoad$$' -v -timeout 30m ./internal/app/

clean:
	rm -rf bin $(VENDOR) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm kith-uploads
