//! ABI compatibility of our interfaces with the reference's, without a chain: every function
//! selector, event topic and custom error of the reference must exist in ours with the same
//! canonical signature (and the same outputs, mutability and indexed parameters).

use crate::OrPanic;
use alloy::json_abi::JsonAbi;
use poco_reference::{ReferencePackage, workspace_root};
use std::collections::BTreeSet;

fn ours(name: &str) -> JsonAbi {
    let path = workspace_root().join("contracts/artifacts").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).or_panic(&format!("reading {}", path.display()));
    let artifact: serde_json::Value = serde_json::from_str(&text).or_panic("parsing our artifact");
    serde_json::from_value(artifact["abi"].clone()).or_panic("parsing our ABI")
}

fn package() -> ReferencePackage {
    ReferencePackage::locate().or_panic("locating the reference package")
}

/// Differences found, one line each.
#[derive(Default)]
struct Report(BTreeSet<String>);

impl Report {
    /// Compares the functions of `reference` accepted by `keep` with `ours`.
    fn functions(
        &mut self,
        context: &str,
        reference: &JsonAbi,
        ours: &JsonAbi,
        keep: impl Fn(&str) -> bool,
    ) {
        for function in reference.functions().filter(|f| keep(&f.signature())) {
            let selector = function.selector();
            let Some(our) = ours.functions().find(|f| f.selector() == selector) else {
                self.0.insert(format!(
                    "{context}: missing function {} ({selector})",
                    function.signature()
                ));
                continue;
            };
            if our.signature() != function.signature() {
                self.0.insert(format!(
                    "{context}: selector {selector} is {} in ours, {} in the reference",
                    our.signature(),
                    function.signature()
                ));
            } else if our.signature_with_outputs() != function.signature_with_outputs() {
                self.0.insert(format!(
                    "{context}: outputs differ: ours {}, reference {}",
                    our.signature_with_outputs(),
                    function.signature_with_outputs()
                ));
            }
            if our.state_mutability != function.state_mutability {
                self.0.insert(format!(
                    "{context}: {} is {:?} in ours, {:?} in the reference",
                    function.signature(),
                    our.state_mutability,
                    function.state_mutability
                ));
            }
        }
    }

    /// Compares every event of `reference` with `ours` (topic, then indexed flags).
    fn events(&mut self, context: &str, reference: &JsonAbi, ours: &JsonAbi) {
        for event in reference.events() {
            let topic = event.selector();
            let Some(our) = ours.events().find(|e| e.selector() == topic) else {
                self.0.insert(format!("{context}: missing event {} ({topic})", event.signature()));
                continue;
            };
            let indexed =
                |e: &alloy::json_abi::Event| e.inputs.iter().map(|p| p.indexed).collect::<Vec<_>>();
            if indexed(our) != indexed(event) || our.anonymous != event.anonymous {
                self.0.insert(format!(
                    "{context}: event {} is indexed {:?} in ours, {:?} in the reference",
                    event.signature(),
                    indexed(our),
                    indexed(event)
                ));
            }
        }
    }

    /// Compares every custom error of `reference` with `ours`.
    fn errors(&mut self, context: &str, reference: &JsonAbi, ours: &JsonAbi) {
        for error in reference.errors() {
            if !ours.errors().any(|e| e.selector() == error.selector()) {
                self.0.insert(format!(
                    "{context}: missing error {} ({})",
                    error.signature(),
                    error.selector()
                ));
            }
        }
    }

    fn assert_empty(self, what: &str) {
        assert!(
            self.0.is_empty(),
            "{what}: {} difference(s) with the reference:\n  {}",
            self.0.len(),
            self.0.into_iter().collect::<Vec<_>>().join("\n  ")
        );
    }
}

#[test]
fn hub_interface_matches_iexec_interface_token() {
    let reference = package().abi("IexecInterfaceToken").or_panic("reference ABI");
    // Sanity: the reference aggregate is what the spec describes (§16).
    assert_eq!(reference.functions().count(), 91);
    assert!(reference.fallback.is_some() && reference.receive.is_some());

    let ours = ours("IPoco");
    // Not a selector: ours has no fallback/receive in its ABI (token mode: both only revert).
    if ours.fallback.is_none() || ours.receive.is_none() {
        eprintln!("note: IPoco declares no fallback/receive; IexecInterfaceToken does");
    }
    let mut report = Report::default();
    report.functions("IPoco", &reference, &ours, |_| true);
    report.events("IPoco", &reference, &ours);
    report.errors("IPoco", &reference, &ours);
    report.assert_empty("IPoco vs IexecInterfaceToken");
}

/// Registries: only the functions of spec §16.1's tables; the ERC-721 (+Enumerable, +Metadata)
/// and Ownable surface comes from OpenZeppelin in ours and is not in our interface artifacts.
#[test]
fn registry_interfaces_match_the_reference_registries() {
    let package = package();
    let oz = |path: &str| package.human_readable_abi(path).or_panic("OpenZeppelin ABI");
    let erc721 = oz("@openzeppelin/contracts/token/ERC721/ERC721.sol/ERC721");
    let ownable = oz("@openzeppelin/contracts/access/Ownable.sol/Ownable");
    let inherited: BTreeSet<String> =
        erc721.functions().chain(ownable.functions()).map(|f| f.signature()).collect();
    assert!(
        inherited.contains("tokenOfOwnerByIndex(address,uint256)"),
        "OZ 3 ERC721 is enumerable"
    );

    let mut report = Report::default();
    let mut compared = 0;
    for (reference, our) in [
        ("registries/apps/AppRegistry", "IAppRegistry"),
        ("registries/datasets/DatasetRegistry", "IDatasetRegistry"),
        ("registries/workerpools/WorkerpoolRegistry", "IWorkerpoolRegistry"),
    ] {
        let reference = package.abi(reference).or_panic("reference registry ABI");
        compared += reference.functions().filter(|f| !inherited.contains(&f.signature())).count();
        report.functions(our, &reference, &ours(our), |signature| !inherited.contains(signature));
    }
    assert_eq!(compared, 3 * 11, "spec §16.1 lists 11 non-ERC-721 functions per registry");
    report.assert_empty("registries");
}

/// Registry entries (App, Dataset, Workerpool): every function and event.
#[test]
fn entry_interfaces_match_the_reference_entries() {
    let package = package();
    let mut report = Report::default();
    for (reference, our) in [
        ("registries/apps/App", "IApp"),
        ("registries/datasets/Dataset", "IDataset"),
        ("registries/workerpools/Workerpool", "IWorkerpool"),
    ] {
        let reference = package.abi(reference).or_panic("reference entry ABI");
        let ours = ours(our);
        report.functions(our, &reference, &ours, |_| true);
        report.events(our, &reference, &ours);
    }
    report.assert_empty("registry entries");
}

/// The comparison itself finds what it should (guards against a check that passes vacuously).
#[test]
fn report_finds_missing_and_changed_items() {
    let reference = package().abi("IexecInterfaceToken").or_panic("reference ABI");
    let (functions, events, errors) =
        (reference.functions().count(), reference.events().count(), reference.errors().count());
    assert_eq!((functions, events, errors), (91, 32, 1));

    let mut report = Report::default();
    let empty = JsonAbi::default();
    report.functions("empty", &reference, &empty, |_| true);
    report.events("empty", &reference, &empty);
    report.errors("empty", &reference, &empty);
    assert_eq!(report.0.len(), functions + events + errors);

    // Flip one indexed flag, one mutability and one output type.
    let mut changed = reference.clone();
    for event in changed.events.values_mut().flatten().filter(|e| e.name == "TaskInitialize") {
        event.inputs[1].indexed = false;
    }
    for function in changed.functions.values_mut().flatten() {
        match function.name.as_str() {
            "viewScore" => function.state_mutability = alloy::json_abi::StateMutability::NonPayable,
            "countCategory" => function.outputs[0].ty = "uint64".into(),
            _ => {}
        }
    }
    let mut report = Report::default();
    report.functions("changed", &reference, &changed, |_| true);
    report.events("changed", &reference, &changed);
    assert_eq!(report.0.len(), 3, "{:?}", report.0);
}
