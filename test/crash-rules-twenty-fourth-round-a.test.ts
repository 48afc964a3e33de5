/**
 * Twenty-fourth rules round (issue 10), part A, on the studied fresh15: from its six misses, the readings that hold for
 * logs not seen (docs/crash-accuracy.md, "Twenty-fourth round, on the studied fresh15", items 540-).
 * - An HTTP status that says a server or gateway ran out of time, in the exception that ends the run: 504's reason
 *   phrase in any client's wording (requests' `504 Server Error: Gateway Time-out for url`, which the Hub's
 *   HfHubHTTPError repeats; urllib's `HTTP Error 504: Gateway Timeout`; aiohttp's `504, message='Gateway Timeout'`)
 *   and 408's with its code: timeout (failure.ts TIMED_OUT_MESSAGE).
 * - An exception line pasted without its traceback's head, followed by Python's chain marker, starts the chain of the
 *   traceback after the marker (traceback.ts): the first exception of the chain names the cause.
 * - Ray's dual exception class (`ray.exceptions.RayTaskError(APITimeoutError)`) names the exception the task raised:
 *   that one's type gives the category (failure.ts wrappedType), also when the text ends inside the remote traceback
 *   Ray prints after its line (traceback.ts RAY_DUAL_EXC).
 * - Flyte's container status `[name] terminated with exit code (137). Reason [...]` (and 139) reads like the other
 *   exit-code forms.
 * - ESPnet's skipped update `The grad norm is nan. Skipping updating the model.` (ESPnet1: `grad norm is nan. Do not
 *   update model.`) is a warning; a log that ends in ten or more of them with no finite loss or grad norm among or
 *   after them is a NaN run (diverged-end.ts skippedUpdatesAtEnd).
 * Real lines name where they come from; near misses must not be the rule (null: no rule at all).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-fourth-round-a-");

describe("twenty-fourth round (part A): rule families", () => {
  const families: Family[] = [
    {
      rule: "killed_exit_137",
      real: [
        ["crash-corpus zzp flyte-2376, https://github.com/flyteorg/flyte/issues/2376", "[f8107735c673549d7acd-n0-0] terminated with exit code (137). Reason [Error]. Message: "],
      ],
      nearMiss: [
        // With Kubernetes' reason OOMKilled the earlier cgroup rule names the kill (process_killed too): Flyte's
        // troubleshooting guide (public repository file, find_string id 32444664877) and nf-flyte's test of Flyte's
        // failure message (find_string id 69019766097).
        ["### terminated with exit code (137). Reason [OOMKilled]", "killed_cgroup_oom"],
        ["Pod failed. [x] terminated with exit code (137). Reason [OOMKilled].", "killed_cgroup_oom"],
        ["[f8107735c673549d7acd-n0-0] terminated with exit code (0). Reason [Completed]. Message: ", null],
        ["[f8107735c673549d7acd-n0-0] terminated with exit code (1). Reason [Error]. Message: ", null],
      ],
    },
    {
      rule: "segfault_exit_code",
      real: [
        // Constructed: Flyte's format (flyteplugins' pod helper) with the segfault's exit code; no log with it was seen.
        ["constructed from Flyte's format (flyte-2376) with exit code 139", "[a8c1-n0-0] terminated with exit code (139). Reason [Error]. Message: "],
      ],
      nearMiss: [
        ["[a8c1-n0-0] terminated with exit code (13). Reason [Error]. Message: ", null],
      ],
    },
    {
      rule: "nan_grad_norm",
      real: [
        ["crash-corpus zzo espnet-5065, https://github.com/espnet/espnet/issues/5065", "[node7:0/6] 2023-03-27 16:10:37,656 (trainer:663) WARNING: The grad norm is nan. Skipping updating the model."],
        ["an ESPnet2 training log pasted in a repository's comment (public repository file, find_string id 2486407441)", "# [chifflot-3] 2022-06-27 16:56:43,951 (trainer:709) WARNING: The grad norm is nan. Skipping updating the model."],
        // Constructed: ESPnet1's updater (espnet/asr/pytorch_backend/asr.py, `logging.warning("grad norm is nan. Do not
        // update model.")`) in ESPnet's log format; and ESPnet2's later f-string with an inf value.
        ["constructed from ESPnet1's source", "2019-04-02 10:11:12,345 (asr:123) WARNING: grad norm is nan. Do not update model."],
        ["constructed from ESPnet2's later source", "[gpu1] 2024-01-05 09:00:01,002 (trainer:780) WARNING: The grad norm is inf. Skipping updating the model."],
      ],
      nearMiss: [
        ["[gpu1] 2024-01-05 09:00:01,002 (trainer:780) WARNING: The grad norm is 12.5. Skipping updating the model.", null],
        ["                if torch.isnan(grad_norm):", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-fourth round (part A): whole entries", () => {
  const entries: [string, string, string][] = [
    ["timeout/zzp-huggingface-hub-1516-experiments-hfhubhttperror-504-gateway-timeout.log", "timeout", "python_traceback"],
    ["timeout/zzp-instruct-nerf2nerf-25-load-instructpix2pix-hfhub-504-gateway-timeout.log", "timeout", "python_traceback"],
    // requests' HTTPError, the chain marker, then IPython's HfHubHTTPError cut in its frames.
    ["timeout/zzp-transformers-23228-berttokenizer-from-pretrained-504-gateway-timeout.log", "timeout", "python_traceback"],
    // Cut inside the remote traceback printed after Ray's `RayTaskError(APITimeoutError)` line.
    ["timeout/zzp-deepeyes-27-verl-llm-judge-raytaskerror-apitimeouterror.log", "timeout", "python_traceback"],
    ["process_killed/zzp-flyte-2376-demo-cluster-pod-terminated-exit-code-137.log", "process_killed", "killed_exit_137"],
    ["nan_loss/zzo-espnet-5065-librimix-tse-grad-norm-nan-every-step.log", "nan_loss", "nan_grad_norm_skipped_updates_at_end"],
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }
});

describe("twenty-fourth round (part A): HTTP timeouts in the exception that ends the run", () => {
  const reads: [string, string, string][] = [
    ["urllib (a user's post in a public repository, find_string id 19115233504)", "urllib.error.HTTPError: HTTP Error 504: Gateway Timeout", "timeout"],
    ["aiohttp (a public repository's notes, find_string id 61552446578)", "aiohttp.client_exceptions.ClientResponseError: 504, message='Gateway Timeout',\nurl='https://bafybeid35sz...ipfs.dweb.link/.zgroup'", "timeout"],
    ["requests' 408 (quoted in a public repository's code, find_string id 19707729171)", "requests.exceptions.HTTPError: 408 Client Error: Request Timeout for url: https://openrouter.ai/api/v1/chat/completions", "timeout"],
    // Near misses: other server errors are no timeout.
    ["502, constructed", "requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: https://huggingface.co/api/models/bert-base-uncased", "python_exception"],
    ["503, constructed", "huggingface_hub.utils._errors.HfHubHTTPError: 503 Server Error: Service Unavailable for url: https://huggingface.co/api/models/x", "python_exception"],
    ["a 408 that is no status, constructed", "ValueError: request timeout must be below 408 seconds, got 600", "python_exception"],
  ];
  for (const [from, text, category] of reads) {
    test(`${from} reads ${category}`, async () => {
      assert.equal((await primaryOf("http.log", `${text}\n`))?.category, category);
    });
  }

  test("a 504 a client logged and retried, with no exception line, is no crash", async () => {
    const text = "WARNING:huggingface_hub.utils._http:HTTP Error 504 thrown while requesting HEAD https://huggingface.co/x/resolve/main/config.json\nRetrying in 1s [Retry 1/5].\n{'loss': 0.52, 'learning_rate': 4.9e-05, 'epoch': 0.1}\n";
    assert.equal(await primaryOf("retried.log", text), null);
  });

  test("an exception pasted without its head starts the chain after Python's marker (oldest type names the cause)", async () => {
    const text = [
      "requests.exceptions.HTTPError: 504 Server Error: Gateway Time-out for url: https://example.org/api/models/x",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      '  File "train.py", line 12, in <module>',
      "    model = load()",
      "RuntimeError: could not build the model",
      "",
    ].join("\n");
    assert.equal((await primaryOf("chain.log", text))?.category, "timeout");
    // Without the marker the two are unrelated: the last one ended the run.
    assert.equal((await primaryOf("nochain.log", text.replace("During handling of the above exception, another exception occurred:", "")))?.category, "python_exception");
  });
});

describe("twenty-fourth round (part A): Ray's dual exception class", () => {
  // Ray's task failure as it prints it (constructed around deepeyes-27's lines): its line, then the remote traceback.
  const head = [
    'Traceback (most recent call last):',
    '  File "/app/verl/trainer/main_ppo.py", line 80, in run_ppo',
    "    ray.get(runner.run.remote(config))",
    '  File "/usr/local/lib/python3.12/dist-packages/ray/_private/worker.py", line 937, in get_objects',
    "    raise value.as_instanceof_cause()",
  ];
  const remote = [
    '  File "/app/reward.py", line 40, in score',
    "    resp = client.chat.completions.create(**req)",
  ];
  const dual = (inner: string): string => `ray.exceptions.RayTaskError(${inner}): ray::TaskRunner.run() (pid=69609, ip=10.148.9.72)`;

  test("cut inside the remote traceback: the wrapped class names the category", async () => {
    assert.equal((await primaryOf("ray-timeout.log", [...head, dual("APITimeoutError"), ...remote, ""].join("\n")))?.category, "timeout");
    assert.equal((await primaryOf("ray-import.log", [...head, dual("ModuleNotFoundError"), ...remote, ""].join("\n")))?.category, "import_error");
    assert.equal((await primaryOf("ray-key.log", [...head, dual("KeyError"), ...remote, ""].join("\n")))?.category, "python_exception");
    // Ray's own memory monitor class (older Ray) is no accelerator OOM.
    assert.notEqual((await primaryOf("ray-oom.log", [...head, dual("RayOutOfMemoryError"), ...remote, ""].join("\n")))?.category, "cuda_oom");
  });

  test("complete: the remote traceback's own exception line ends it, as before", async () => {
    const text = [...head, dual("APITimeoutError"), ...remote, "openai.APITimeoutError: Request timed out.", ""].join("\n");
    assert.equal((await primaryOf("ray-complete.log", text))?.category, "timeout");
    const keyError = [...head, dual("KeyError"), ...remote, "KeyError: 'reward'", ""].join("\n");
    assert.equal((await primaryOf("ray-complete-key.log", keyError))?.category, "python_exception");
  });
});

describe("twenty-fourth round (part A): a log that ends in ESPnet's skipped updates", () => {
  const skip = (i: number): string => `[node7:0/6] 2023-03-27 16:10:${String(10 + i).padStart(2, "0")},131 (trainer:663) WARNING: The grad norm is nan. Skipping updating the model.`;
  const info = (i: number): string => `[node7:0/6] 2023-03-27 16:10:${String(10 + i).padStart(2, "0")},300 (ctc:69) WARNING: All samples in this mini-batch got nan grad. Returning nan value instead of CTC loss`;
  const notices = (n: number, between = false): string[] => Array.from({ length: n }, (_, i) => (between ? [skip(i), info(i)] : [skip(i)])).flat();

  test("ten or more, with other records between them (the shape of the ESPnet2 log in find_string id 2486407441)", async () => {
    assert.deepEqual(await primaryOf("espnet-10.log", `${notices(10, true).join("\n")}\n`), { category: "nan_loss", ruleId: "nan_grad_norm_skipped_updates_at_end" });
  });

  test("nine are steps a run may drop: no finding", async () => {
    assert.equal(await primaryOf("espnet-9.log", `${notices(9).join("\n")}\n`), null);
  });

  test("a finite loss after them: the run goes on", async () => {
    const text = [...notices(12), "[node7:0/6] 2023-03-27 16:11:00,000 (trainer:700) INFO: 1epoch:train:101-200batch: iter_time=0.160, loss=12.345, grad_norm=3.210"].join("\n");
    assert.equal(await primaryOf("espnet-finite.log", `${text}\n`), null);
  });

  test("more than twenty other lines after the last one: the log does not end in them", async () => {
    const after = Array.from({ length: 21 }, (_, i) => `[node7:0/6] 2023-03-27 16:12:${String(i).padStart(2, "0")},000 (trainer:300) INFO: validation batch ${i}`);
    assert.equal(await primaryOf("espnet-after.log", `${[...notices(12), ...after].join("\n")}\n`), null);
  });
});
