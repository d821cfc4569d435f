# Assay — counterfeit-listing detection. `make help` lists the targets.
GO        ?= go
BIN       := bin
# libjpeg-turbo's scaled DCT decode makes image hashing ~10x faster; the build
# uses it when its header is installed (Debian: libturbojpeg0-dev) and falls
# back to pure Go otherwise.
TURBO     := $(shell test -f /usr/include/turbojpeg.h && echo turbojpeg)
TAGS      ?= $(TURBO)
GOFLAGS_T := $(if $(TAGS),-tags $(TAGS),)
FUZZTIME  ?= 10s
FUZZ      := GO=$(GO) FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh
SOAK      ?= 30m
# progtest builds the programs with go build, which reads GOFLAGS: the
# fault test and the soak run the turbojpeg build when it is available.
PROG_ENV  := $(if $(TAGS),GOFLAGS=-tags=$(TAGS),)

.PHONY: help build demo scan-demo bench-stream bench-ui bench-soak test test-fault test-kafka test-race eval bench bench-text bench-image fuzz vet fmt-check fixtures clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-12s %s\n", $$1, $$2}'

build: ## build every command into bin/
	$(GO) build $(GOFLAGS_T) -o $(BIN)/ ./cmd/...

demo: build ## the whole pipeline on the bundled fixtures (embedded broker unless KAFKA_BROKERS is set); Ctrl-C stops it
	@BIN=$(BIN) bash scripts/demo.sh

scan-demo: build ## batch scan of the bundled fixtures: flagged listings with their evidence, then precision and recall
	@echo "== bin/matcher scan --brands fixtures/brands.yaml --format text fixtures/listings.jsonl  (first flags shown)"
	@$(BIN)/matcher scan --brands fixtures/brands.yaml --format text fixtures/listings.jsonl > $(BIN)/verdicts.txt
	@head -n 24 $(BIN)/verdicts.txt
	@$(BIN)/matcher scan -q --brands fixtures/brands.yaml fixtures/listings.jsonl > $(BIN)/verdicts.jsonl
	@echo "   ... all flags: $(BIN)/verdicts.txt (for people), $(BIN)/verdicts.jsonl (JSON Lines)"
	@echo
	@echo "== bin/matcher eval --brands fixtures/brands.yaml --labels fixtures/labels.jsonl fixtures/listings.jsonl"
	@$(BIN)/matcher eval --brands fixtures/brands.yaml --labels fixtures/labels.jsonl fixtures/listings.jsonl

test: ## run every test (the README's test command); image hashing is tested on both decode paths
	$(GO) test $(GOFLAGS_T) -count=1 ./...
ifneq ($(TAGS),)
	$(GO) test -count=1 ./internal/imagehash/
endif

test-kafka: ## the pipeline, reporter, ingest, kcat, TLS/SASL and ACL tests against a real Apache Kafka 3.9 broker (scripts/kafka-local; Java and Maven needed, the jars are fetched once)
	ASSAY_KAFKA=local $(GO) test $(GOFLAGS_T) -count=1 -timeout 30m ./internal/kafkatest/ ./internal/stream/ ./internal/matcher/ ./internal/reporter/ ./internal/ingest/ ./cmd/matcher/ ./cmd/ingest/

test-fault: ## SIGKILL the matcher and the reporter 20 times each while listings stream in; nothing lost, duplicated or committed ahead (ASSAY_FAULT_SEED=N replays a schedule)
	$(PROG_ENV) ASSAY_FAULT=1 $(GO) test $(GOFLAGS_T) -count=1 -timeout 20m -run '^TestCrashRestart$$' -v ./internal/pipelinetest/

test-race:
	$(GO) test $(GOFLAGS_T) -race -count=1 ./...

eval: build ## precision, recall and F1 on the labelled fixtures and on the hand-written holdout set
	@echo "== fixtures/ (generated, 648 listings with photos)"
	@$(BIN)/matcher eval --brands fixtures/brands.yaml --labels fixtures/labels.jsonl fixtures/listings.jsonl
	@echo "== fixtures/holdout/ (written by hand, text only)"
	@$(BIN)/matcher eval --brands fixtures/holdout/brands.yaml --labels fixtures/holdout/labels.jsonl fixtures/holdout/listings.jsonl

bench: bench-text bench-image ## both throughput benchmarks

bench-text: ## text-only scoring against 1,000 brands, listings/s (one core, then two)
	$(GO) test $(GOFLAGS_T) -run '^$$' -bench 'BenchmarkScoreText' -benchtime 3s -count 5 -cpu 1,2 ./internal/score/ | awk -f scripts/bench-median.awk

bench-image: ## hashing 800x800 JPEGs, images/s (turbojpeg path when available, and pure Go)
	@echo "== image hashing, $(if $(TAGS),libjpeg-turbo scaled decode,pure Go: install libturbojpeg0-dev for the fast path)"
	$(GO) test $(GOFLAGS_T) -run '^$$' -bench 'BenchmarkCompute800' -benchtime 2s -count 5 -cpu 1,2 ./internal/imagehash/ | awk -f scripts/bench-median.awk
	@echo "== image hashing, pure-Go fallback"
	$(GO) test -run '^$$' -bench 'BenchmarkCompute800$$' -benchtime 2s -count 3 -cpu 1 ./internal/imagehash/ | awk -f scripts/bench-median.awk

bench-stream: ## 200,000 listings through the embedded broker (ASSAY_KAFKA=local: a real Kafka): bare consumer vs matcher, and produce-to-candidate latency at 5,000/s
	$(GO) test $(GOFLAGS_T) -run '^$$' -bench 'BenchmarkStream' -benchtime 1x -count 3 -timeout 30m ./internal/matcher/ | awk -f scripts/bench-median.awk

bench-ui: ## analyst pages over 20,000 cases (medians of 5)
	$(GO) test $(GOFLAGS_T) -run '^$$' -bench 'BenchmarkPages' -benchtime 20x -count 5 ./internal/web/ | awk -f scripts/bench-median.awk

bench-soak: ## SOAK (30m) of steady load through the whole pipeline: memory and goroutines of every program each minute, and a verdict on growth
	$(PROG_ENV) SOAK=$(SOAK) $(GO) test $(GOFLAGS_T) -run '^$$' -bench '^BenchmarkSoak$$' -benchtime 1x -timeout 0 ./internal/pipelinetest/

fuzz: ## run every fuzz target for FUZZTIME each (scripts/fuzz.sh: a finding fails, Go 1.26's fuzztime race only warns)
	$(FUZZ) ./internal/listing FuzzDecode
	$(FUZZ) ./internal/listing FuzzSpan
	$(FUZZ) ./internal/listing FuzzNumber
	$(FUZZ) ./internal/listing FuzzUTCSeconds
	$(FUZZ) ./internal/textmatch FuzzAnalyzePaths
	$(FUZZ) ./internal/textmatch FuzzJoinedKey
	$(FUZZ) ./internal/textmatch FuzzFold
	$(FUZZ) ./internal/textmatch FuzzFind
	$(FUZZ) ./internal/textmatch FuzzWordTable
	$(FUZZ) ./internal/imagehash FuzzCompute $(GOFLAGS_T) -fuzzminimizetime 3s
	$(FUZZ) ./internal/imagehash FuzzReencode -fuzzminimizetime 3s
	$(FUZZ) ./internal/score FuzzSecondHand
	$(FUZZ) ./internal/score FuzzPriceEvidenceWording
	$(FUZZ) ./internal/score FuzzVisible
	$(FUZZ) ./internal/score FuzzCodedEvidence
	$(FUZZ) ./internal/price FuzzStringMatchesFmt
	$(FUZZ) ./internal/stream FuzzCandidateMessage
	$(FUZZ) ./internal/fetch FuzzGuard
	$(FUZZ) ./internal/ingest FuzzCSV
	$(FUZZ) ./internal/ingest FuzzBody
	$(FUZZ) ./internal/brand FuzzParse
	$(FUZZ) ./internal/web FuzzAPIBody -fuzzminimizetime 10s
	$(FUZZ) ./internal/web FuzzRegisterForm -fuzzminimizetime 10s

vet: ## go vet and gofmt check
	$(GO) vet $(GOFLAGS_T) ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

fixtures: ## regenerate fixtures/ from Debian's photo packages (needs apt-get)
	dir=$$(bash fixtures/fetch-photos.sh) && $(GO) run ./cmd/fixturegen -photos "$$dir" -out fixtures

clean:
	rm -rf $(BIN)
