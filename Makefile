# poco — developer commands. `make test` is what the README and CI run.
CONTRACTS := contracts
FORGE := $(CONTRACTS)/node_modules/.bin/forge-native

.PHONY: test test-rust test-contracts contracts contracts-check fmt lint pr

## test: every test suite (Rust and Solidity)
test: test-contracts test-rust

## test-rust: the Rust workspace's tests
test-rust:
	cargo test --workspace --all-targets --locked

## test-contracts: the forge suite (installs the pinned solc-js and forge first)
test-contracts:
	cd $(CONTRACTS) && npm run --silent test

## contracts: compile the contracts and refresh contracts/artifacts
contracts:
	cd $(CONTRACTS) && npm run --silent build

## contracts-check: formatting, then rebuild the artifacts and fail if they differ from the committed ones
contracts-check: contracts
	cd $(CONTRACTS) && node_modules/.bin/forge-native fmt --check src test
	git diff --exit-code -- $(CONTRACTS)/artifacts
	@test -z "$$(git status --porcelain -- $(CONTRACTS)/artifacts)" || { git status --short -- $(CONTRACTS)/artifacts; echo "artifacts changed: run make contracts and commit"; exit 1; }

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

## pr: what CI runs
pr: lint
	./.ci/run
