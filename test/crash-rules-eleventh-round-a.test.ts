/**
 * Eleventh rules round, part A (nan_loss, timeout, python_exception, checkpoint_corrupt, import_error, healthy
 * logs): the misses of tune collections ze and zf, each widened to the family it belongs to
 * (docs/crash-accuracy.md, "Eleventh round", items 71-75). Real lines name where they come from; near misses
 * must not be the rule (null: no rule at all); whole excerpts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { parseFailure } from "../agent/crash/traceback.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-eleventh-round-a-");
const NAN = { category: "nan_loss", ruleId: "nan_loss_metric" };

describe("eleventh round A: rule families", () => {
  const families: Family[] = [
    {
      // A policy-gradient trainer's KL divergence between the old and the new policy printed as NaN: the
      // policy's parameters are NaN (TRPO, ACKTR, PPO print it beside their losses, often as the first NaN).
      rule: "nan_loss_metric",
      real: [
        ["crash-corpus ze baselines-127, https://github.com/openai/baselines/issues/127 (baselines' logger table)", "| KL        | nan      |"],
        ["crash-corpus ze trpo-21, https://github.com/pat-coady/trpo/issues/21", "KL: nan"],
        ["https://github.com/IntelLabs/coach/issues/418", "2020-06-22-22:13:34.169917 Policy training - Surrogate loss: nan KL divergence: nan Entropy: nan training epoch: 2 learning_rate: 0.0003"],
      ],
      nearMiss: [
        // The same tables and lines with finite values, and NaN in statistics that are NaN in healthy runs
        // (baselines' episode means before any episode ended: stable-baselines#178, a healthy corpus entry).
        ["| KL        | 0.00148061 |", null],
        ["kl just right!", null],
        ["| ep_rewmean         | nan           |", null],
        ["| eplenmean          | nan           |", null],
        ["| explained_variance | nan           |", null],
        // A coefficient or target named after the KL is a setting, not the statistic.
        ["kl_coef: nan", null],
        ["target_kl: nan", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("eleventh round A: losses named by several words are separate series (demoteRecoveredNaN)", () => {
  test("rsl_rl's record with one non-finite loss among finite ones is a NaN run (unitree_rl_lab#101 ze, IsaacLab#1999)", async () => {
    assert.deepEqual(await primaryOf("unitree.log", corpus("nan_loss/unitree-rl-lab-101-iter-29782-value-function-loss-inf.log")), NAN);
    // IsaacLab#1999 (older rsl_rl wording), the record as the thread shows it.
    const isaacLab1999 = [
      "################################",
      "                     Learning iteration 8391/10000",
      "",
      "                       Computation: 14963 steps/s (collection: 6.407s, learning",
      "0.163s)",
      "               Value function loss: inf",
      "                    Surrogate loss: 0.0000",
      "             Mean action noise std: 0.56",
      "                 Mean total reward: 25.66",
      "               Mean episode length: 1000.00",
    ].join("\n");
    assert.deepEqual(await primaryOf("isaaclab.log", isaacLab1999), NAN);
  });

  test("rsl_rl#96: every loss of the record NaN", async () => {
    const rslRl96 = [
      "                      Learning iteration 17/50000                       ",
      "",
      "                       Computation: 44180 steps/s (collection: 1.731s, learning 0.495s)",
      "             Mean action noise std: 1.00",
      "          Mean value_function loss: nan",
      "               Mean surrogate loss: nan",
      "                 Mean entropy loss: 17.0273",
      "                Mean amp_loss loss: nan",
      "           Mean grad_pen_loss loss: nan",
    ].join("\n");
    assert.deepEqual(await primaryOf("rslrl96.log", rslRl96), NAN);
  });

  test("the same loss finite in the two records after its non-finite one still recovers (near miss)", async () => {
    const record = (v: string) => [
      "                      Learning iteration 20/30000                       ",
      `          Mean value_function loss: ${v}`,
      "               Mean surrogate loss: -0.0682",
      "                 Mean entropy loss: 38.0125",
    ];
    assert.equal(await primaryOf("recovered.log", [...record("inf"), ...record("0.0859"), ...record("0.0731")].join("\n")), null);
    // But another loss's finite values are not that loss recovering (the bug this fixes: all three keyed `loss`).
    assert.deepEqual(await primaryOf("not-recovered.log", [...record("inf"), ...record("inf")].join("\n")), NAN);
  });
});

describe("eleventh round A: an excepthook's record of the uncaught exception (parseExceptions)", () => {
  const OLMO = "[2024-04-18 19:10:41] CRITICAL [olmo.util:158, rank=0] Uncaught OLMoThreadError: generator thread data thread 3 failed";

  test("the record is read as the exception that ended the process (OLMo#552 zf, an excepthook's expected output, V8)", () => {
    assert.equal(parseFailure([OLMO])?.exception?.type, "OLMoThreadError");
    assert.equal(parseFailure([OLMO])?.exception?.message, "generator thread data thread 3 failed");
    // A public repository's excepthook example (find_string; the tool names no repository): its alert subject.
    assert.equal(parseFailure(["[CRITICAL] Uncaught ValueError: simulated uncaught"])?.exception?.type, "ValueError");
    // V8 / emscripten in a browser console (find_string hit, an issue text pasted into a repository).
    assert.equal(parseFailure(["wasm-0059666e-131:20 Uncaught RuntimeError: memory access out of bounds"])?.exception?.type, "RuntimeError");
  });

  test("OLMo#552 (zf): python_exception", async () => {
    assert.deepEqual(await primaryOf("olmo.log", corpus("python_exception/olmo-552-olmo1b-step75-data-generator-thread-failed.log")), { category: "python_exception", ruleId: "python_traceback" });
  });

  test("near misses: no exception type after it, or training goes on after it", async () => {
    assert.equal(parseFailure(["2024-01-01 ERROR Uncaught exception in thread loader-3, restarting it"]), null);
    assert.equal(parseFailure(["the handler logs 'Uncaught' and the type"]), null);
    const goesOn = [OLMO, "[2024-04-18 19:11:02] INFO     [olmo.train:816, rank=0] [step=76/739328]", "    train/CrossEntropyLoss=7.401"];
    assert.equal(await primaryOf("goes-on.log", goesOn.join("\n")), null);
  });
});

describe("eleventh round A: Hydra's compact error report (parseExceptions, hydraCompactError)", () => {
  const NOTICE = "Set the environment variable HYDRA_FULL_ERROR=1 for a complete stack trace.";
  const PY = { category: "python_exception", ruleId: "python_traceback" };
  // https://github.com/ashleve/lightning-hydra-template/issues/350: an instantiation error after the job started.
  const lht350 = [
    "[2022-06-08 08:12:42,389][src.training_pipeline][INFO] - Instantiating datamodule <src.datamodules.xxx_datamodule.XXXDataModule>",
    "[2022-06-08 08:12:42,395][src.training_pipeline][INFO] - Instantiating model <src.models.xxx_module.XXXLitModule>",
    "Error executing job with overrides: []",
    "Error locating target 'src.models.xxx_module.XXXLitModule', see chained exception above.",
    "full_key: model",
    "",
    NOTICE,
  ];
  // https://github.com/apple/ml-inrflow/issues/1: a config composition error before the job started.
  const inrflow1 = ["In 'experiment/inrflow_imagenet': Could not override 'data@experiment.data'.", "Did you mean to override data?", "", NOTICE];

  test("the message block before the notice is the exception that ended the run (lightning-hydra-template#350, ml-inrflow#1)", async () => {
    const e = parseFailure(lht350)?.exception;
    assert.equal(e?.type, "hydra.errors.CompactHydraException");
    assert.equal(e?.message, "Error locating target 'src.models.xxx_module.XXXLitModule', see chained exception above.\nfull_key: model");
    assert.equal(parseFailure(inrflow1)?.exception?.message, "In 'experiment/inrflow_imagenet': Could not override 'data@experiment.data'.\nDid you mean to override data?");
    assert.deepEqual(await primaryOf("lht350.log", lht350.join("\n")), PY);
    assert.deepEqual(await primaryOf("inrflow1.log", inrflow1.join("\n")), PY);
    // https://github.com/srush/annotated-s4/issues/79: the excerpt starts inside a long message.
    const s4 = ["                    -2.7452703, -5.913268 ]], dtype=float32),", "        },", "    },", "}).", "", NOTICE];
    assert.deepEqual(await primaryOf("s4.log", s4.join("\n")), PY);
  });

  test("near misses: a traceback Hydra printed keeps its own exception; the notice alone names nothing", async () => {
    const withTraceback = ["Error executing job with overrides: []", "Traceback (most recent call last):", '  File "train.py", line 10, in main', '    raise ValueError("bad")', "ValueError: bad value", "", NOTICE];
    const r = parseFailure(withTraceback);
    assert.equal(r?.exception?.type, "ValueError");
    assert.equal(r?.exceptions.length, 1);
    assert.equal(parseFailure([NOTICE]), null);
    assert.equal(parseFailure(["Tip: set HYDRA_FULL_ERROR=1 for a complete stack trace when debugging configs."]), null);
  });
});

describe("eleventh round A: a log that ends in faulthandler's timeout dump (stuckWaitFinding)", () => {
  const STUCK = { category: "timeout", ruleId: "faulthandler_timeout_stuck" };
  // https://github.com/Tribler/tribler/pull/7696 (the dump as the PR shows it, up to the excerpt's last whole line).
  const tribler7696 = [
    "Timeout (0:00:15)!",
    "Thread 0x0000700007d81000 (most recent call first):",
    '  File "/Users/<user>/Projects/github.com/Tribler/tribler/src/tribler/core/upgrade/tests/test_triblerversion.py", line 56 in block_forever',
    '  File "/Library/Developer/CommandLineTools/Library/Frameworks/Python3.framework/Versions/3.9/lib/python3.9/threading.py", line 910 in run',
    '  File "/Library/Developer/CommandLineTools/Library/Frameworks/Python3.framework/Versions/3.9/lib/python3.9/threading.py", line 973 in _bootstrap_inner',
    '  File "/Library/Developer/CommandLineTools/Library/Frameworks/Python3.framework/Versions/3.9/lib/python3.9/threading.py", line 930 in _bootstrap',
    "",
    "Thread 0x0000700005d7b000 (most recent call first):",
    '  File "/Library/Developer/CommandLineTools/Library/Frameworks/Python3.framework/Versions/3.9/lib/python3.9/socket.py", line 293 in accept',
  ];
  // https://github.com/tinygrad/tinygrad/pull/18190 (example output, up to the excerpt's last whole line).
  const tinygrad18190 = [
    "Timeout (0:00:01)!",
    "Thread 0x000000016e143000 (most recent call first):",
    '  File "/Users/chris/base14/lib/python3.14/site-packages/execnet/gateway_base.py", line 534 in read',
    '  File "/Users/chris/base14/lib/python3.14/site-packages/execnet/gateway_base.py", line 567 in from_io',
    '  File "/Users/chris/base14/lib/python3.14/site-packages/execnet/gateway_base.py", line 1160 in _thread_receiver',
    '  File "/Users/chris/base14/lib/python3.14/site-packages/execnet/gateway_base.py", line 341 in run',
    '  File "/Users/chris/base14/lib/python3.14/site-packages/execnet/gateway_base.py", line 411 in _perform_spawn',
    "",
    "Thread 0x00000001f3192240 (most recent call first):",
    '  File "/Users/chris/fun/tinygrad/test_timeout.py", line 9 in test_gil_sleep',
  ];

  test("the dump at the end of the log is a stuck process (Tribler#7696, tinygrad#18190)", async () => {
    assert.deepEqual(await primaryOf("tribler.log", tribler7696.join("\n")), STUCK);
    assert.deepEqual(await primaryOf("tinygrad.log", tinygrad18190.join("\n")), STUCK);
    // After a training log, inside a pasted block.
    assert.deepEqual(await primaryOf("after-training.log", ["epoch 3 step 1200 loss 0.412", "```", ...tribler7696, "```"].join("\n")), STUCK);
  });

  test("near misses: the run went on after the dump; thread stacks without the timeout header", async () => {
    // https://github.com/vulnerability-lookup/vulnerability-lookup/pull/591: the dump, then the test passed.
    const vl591 = ["Timeout (0:00:02)!", "Thread 0x00007f809fc98340 (most recent call first):", '  File ".../test_fh_probe.py", line 5 in test_slow', '  File ".../_pytest/python.py", line 167 in pytest_pyfunc_call', "  ...", "1 passed in 4.00s"];
    assert.equal(await primaryOf("vl591.log", vl591.join("\n")), null);
    assert.equal(await primaryOf("goes-on.log", [...tribler7696, "epoch 3 step 1300 loss 0.398"].join("\n")), null);
    // faulthandler.dump_traceback() on demand (SIGUSR1, py-spy-like) prints the stacks without the header.
    assert.equal(await primaryOf("no-header.log", tribler7696.slice(1).join("\n")), null);
  });
});

describe("eleventh round A: whole excerpts", () => {
  const cases: [string, string, string][] = [
    ["nan_loss/baselines-127-acktr-jaco-reacher-kl-nan.log", "nan_loss", "nan_loss_metric"],
    ["nan_loss/trpo-21-humanoidstandup-variant-kl-policyloss-nan.log", "nan_loss", "nan_loss_metric"],
  ];
  for (const [file, category, ruleId] of cases) {
    test(`${file}: ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(path.basename(file), corpus(file)), { category, ruleId });
    });
  }
  test("stable-baselines#178 (healthy: episode means NaN before any episode ended) stays quiet", async () => {
    assert.equal(await primaryOf("sb178.log", corpus("none/stable-baselines-178-ppo2-cartpole-ep-rewmean-nan.log")), null);
  });
});
