# Weir's everyday commands. Everything here needs only Go; modules come through the module proxy.
GO ?= go
PKGS := ./...

SEEDS ?= 200

.PHONY: run test bench vet fmt chaos screenshots

## run: open the workbench on the built-in tutorials.
run:
	$(GO) run . $(ARGS)

## test: vet, then every test; the engine runs under the race detector.
test: vet
	$(GO) test -race -count=1 ./engine/...
	$(GO) test -count=1 $$($(GO) list ./... | grep -v '/engine')
	$(GO) run . check --solutions -q

## screenshots: render the workbench's main screens to text files under docs/screenshots (for the README).
screenshots:
	$(GO) test -count=1 -run 'TestGoldenScreens|TestTmuxWorkbench' ./tui -args -screenshots=$(CURDIR)/docs/screenshots

## bench: the benchmark suite (weir bench) plus Go's testing.B benchmarks of the hot paths.
bench:
	$(GO) run . bench $(ARGS)
	$(GO) test -run '^$$' -bench . -benchtime 1x ./bench/ ./engine/...

## chaos: the exactly-once chaos test over SEEDS seeds (default 200); ends with "N passed, N failed".
chaos:
	@log=$$(mktemp); $(GO) test -count=1 -timeout 60m -v -run 'TestChaos$$' ./engine -chaos.seeds=$(SEEDS) >$$log 2>&1; status=$$?; \
	grep -E -- '--- FAIL|differs' $$log | head -20; grep -E '^chaos:' $$log; \
	grep -E '^[0-9]+ passed, [0-9]+ failed$$' $$log || { tail -30 $$log; echo "0 passed, 1 failed"; }; rm -f $$log; exit $$status

vet:
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null))" || (echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1)

fmt:
	gofmt -w $$(git ls-files '*.go')
