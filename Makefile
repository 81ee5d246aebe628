# Weir's everyday commands. Everything here needs only Go; modules come through the module proxy.
GO ?= go
PKGS := ./...

SEEDS ?= 200

.PHONY: run test bench vet fmt chaos screenshots generate-check

## run: open the workbench on the built-in tutorials.
run:
	$(GO) run . $(ARGS)

## test: vet, the generated-code check, then every test of every package under the race detector (but
## interp: see RACE_SKIP), then the tutorials' solutions.
test: vet generate-check
	$(GO) test -race -count=1 -timeout 20m $$($(GO) list $(PKGS) | grep -v -x -E '$(RACE_SKIP)')
	$(GO) test -count=1 $$($(GO) list $(PKGS) | grep -x -E '$(RACE_SKIP)')
	$(GO) test -count=1 -tags benchpeers -run TestPeersRun ./bench
	$(GO) run . check --solutions -q

# Packages tested without the race detector. interp: yaegi v0.16.1's EvalWithContext returns when a cell is
# interrupted but leaves its evaluation goroutine running, and the next cell's evaluation then races with it
# on the interpreter's frame (TestInterruptStopsAnInfiniteLoopAndItsJobs); that is yaegi's, not Weir's.
RACE_SKIP = github.com/de4e/weir/interp

# Directories holding a //go:generate directive, and so checked-in generated code (today interp/exports).
GENERATED = $$(git grep -l '^//go:generate' -- '*.go' | xargs -n1 dirname | sort -u)

## generate-check: fails when go generate ./... does not reproduce the checked-in generated code exactly
## (interp/exports, the engine's and sources' symbols for interpreted cells), e.g. after an API change.
generate-check:
	@before=$$(mktemp -d); for d in $(GENERATED); do mkdir -p $$before/$$d && cp -R $$d/. $$before/$$d/; done; \
	$(GO) generate ./... || { rm -rf $$before; exit 1; }; \
	status=0; for d in $(GENERATED); do diff -r -N -u $$before/$$d $$d >/dev/null || { status=1; echo "stale generated code in $$d:"; diff -r -N $$before/$$d $$d | head -20; }; done; \
	rm -rf $$before; \
	if [ $$status -ne 0 ]; then echo "generate-check: go generate ./... changed the files above; the checked-in copy was out of date with the API it exports. Review and commit the regenerated files."; exit 1; fi; \
	if ! git diff --exit-code --quiet -- $(GENERATED); then echo "generate-check: note: the generated files differ from the last commit (regenerated but not committed yet)"; fi

## screenshots: render the workbench's main screens to text files under docs/screenshots (for the README).
screenshots:
	$(GO) test -count=1 -run 'TestGoldenScreens|TestTmuxWorkbench|TestPictures|TestTimelinePicture' ./tui -args -screenshots=$(CURDIR)/docs/screenshots

## bench: the benchmark suite (weir bench, built with the benchpeers tag so that the go-streams peers and the
## workbench-watching case run too) plus Go's testing.B benchmarks of the hot paths.
bench:
	$(GO) run -tags benchpeers . bench $(ARGS)
	$(GO) test -run '^$$' -bench . -benchtime 1x ./bench/ ./engine/...

## chaos: the exactly-once chaos test over SEEDS seeds (default 200); ends with "N passed, N failed".
chaos:
	@log=$$(mktemp); $(GO) test -count=1 -timeout 60m -v -run 'TestChaos$$' ./engine -chaos.seeds=$(SEEDS) >$$log 2>&1; status=$$?; \
	grep -E -- '--- FAIL|differs' $$log | head -20; grep -E '^chaos:' $$log; \
	grep -E '^[0-9]+ passed, [0-9]+ failed$$' $$log || { tail -30 $$log; echo "0 passed, 1 failed"; }; rm -f $$log; exit $$status

vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags benchpeers ./bench
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null))" || (echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1)

fmt:
	gofmt -w $$(git ls-files '*.go')
