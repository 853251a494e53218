//! Both workloads against a real devchain (in process) and a real anvil: every transfer lands
//! where it should, every task completes on chain, and the figures add up.
#![allow(missing_docs, clippy::unwrap_used)]

use alloy::{
    primitives::U256,
    providers::{DynProvider, Provider},
};
use poco_bench::{
    Node, NodeFigures, NodeKind, Params, Report, TaskFigures, TransferFigures, report::Context,
    tasks, transfers,
};
use poco_contracts::bindings::{IPoco, RLC};
use poco_devchain::DevChainConfig;

async fn rlc_balance(provider: &DynProvider, node: &Node, who: alloy::primitives::Address) -> U256 {
    RLC::new(node.deployment().rlc, provider).balanceOf(who).call().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_and_tasks_on_the_devchain_and_on_anvil() {
    let chain = poco_devchain::spawn(DevChainConfig::default().with_port(0).with_accounts(20))
        .await
        .unwrap();
    let devchain = Node::attach(
        NodeKind::Devchain,
        chain.http_endpoint().parse().unwrap(),
        chain.chain_id(),
        chain.dev_accounts().iter().map(|account| account.signer.clone()).collect(),
        *chain.deployment().unwrap(),
    )
    .unwrap();
    let anvil = Node::anvil(Some(128)).await.unwrap();
    assert!(anvil.pid().is_some() && devchain.pid().is_none());

    let mut figures = Vec::new();
    for node in [&devchain, &anvil] {
        let provider = node.plain_provider();
        let (count, senders, salt) = (22, 4, 9);
        let run = transfers::run(node, count, senders, salt).await.unwrap();
        assert_eq!((run.txs, run.latencies.len()), (count, count), "{:?}", node.kind());
        assert!(run.tps() > 0.0 && run.latencies.iter().all(|latency| !latency.is_zero()));
        // 22 over 4 senders: shares 6, 6, 5, 5; each recipient got 1 nRLC.
        for (sender, share) in [(0, 6), (1, 6), (2, 5), (3, 5)] {
            for index in 0..share {
                let to = transfers::fresh_address(salt, sender, index);
                assert_eq!(rlc_balance(&provider, node, to).await, U256::from(1));
            }
            let unused = transfers::fresh_address(salt, sender, share);
            assert_eq!(rlc_balance(&provider, node, unused).await, U256::ZERO);
        }

        let mut driver = tasks::prepare(node).await.unwrap();
        let run = tasks::run(&mut driver, 2).await.unwrap();
        assert_eq!((run.tasks, run.txs), (2, 2 * tasks::CALLS_PER_TASK));
        assert!(run.tasks_per_second() > 0.0);
        let finalized: Vec<_> =
            driver.gas().iter().filter(|record| record.call == "finalize").collect();
        assert_eq!(finalized.len(), 2);
        let hub = IPoco::new(node.deployment().hub, provider.clone());
        for record in finalized {
            let receipt = provider.get_transaction_receipt(record.tx).await.unwrap().unwrap();
            assert!(receipt.status());
            let log = receipt.inner.logs().iter().find_map(|log| {
                log.log_decode::<IPoco::TaskFinalize>().ok().map(|decoded| decoded.inner.data)
            });
            let task = hub.viewTask(log.unwrap().taskid).call().await.unwrap();
            assert_eq!(task.status, 3, "COMPLETED");
        }
        figures.push(NodeFigures {
            transfers: TransferFigures::of(std::slice::from_ref(
                &transfers::run(node, 8, 2, 10).await.unwrap(),
            )),
            tasks: TaskFigures::of(&[run]),
        });
    }

    let anvil_figures = figures.pop().unwrap();
    let devchain_figures = figures.pop().unwrap();
    let params = Params {
        transfers: 8,
        senders: 2,
        tasks: 2,
        rounds: 1,
        warmup: 0,
        anvil_prune_history: Some(128),
    };
    let context = Context {
        date: "test".into(),
        commit: "test".into(),
        profile: "test".into(),
        devchain_binary: "in process".into(),
        anvil: "test".into(),
        cpus: 2,
    };
    let report = Report::new(context, params, devchain_figures, anvil_figures);
    let expected = report.devchain.transfers.tps / report.anvil.transfers.tps;
    assert!((report.ratio.transfers_tps - expected).abs() < 1e-9);
    assert_eq!(
        report.meets_target,
        report.ratio.transfers_tps >= 1.0 && report.ratio.tasks_per_s >= 1.0
    );
    assert_eq!(report.devchain.tasks.txs_per_task, tasks::CALLS_PER_TASK);
    let markdown = report.to_markdown();
    assert!(
        markdown.contains("| ERC-20 transfers | tx/s |")
            && markdown.contains("--prune-history 128")
    );
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["ratio"]["tasks_per_s"].as_f64().unwrap() > 0.0);
}
