/**
 * Sixteenth rules round, second part (tune collection zs: notebooks and hosted consoles): a hosted notebook's
 * notice that its runtime was restarted for using up the session's RAM (Colab, Kaggle) is a kill from outside,
 * read with the cgroup and scheduler memory kills (process_killed, the corpus's OOM-kill convention), no longer
 * as an allocation that failed inside the process (docs/crash-accuracy.md, "Sixteenth round, second part",
 * items 160-163). Real lines name where they come from (`find_string`: a public repository whose name the search
 * tool does not give, cited by hit id); near misses must not be the rule (null: no rule at all); whole texts
 * check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-sixteenth-round-zs-");

describe("sixteenth round, zs: rule families", () => {
  const families: Family[] = [
    {
      // The hosted notebook's runtime restarted the kernel after it used all the session's RAM: Colab's dialog and
      // Kaggle's failure message (also what Kaggle's API reports as a kernel's failure message).
      rule: "killed_cgroup_oom",
      real: [
        ["crash-corpus zs ftcp-8, https://github.com/PV-Lab/FTCP/issues/8", "Your session crashed after using all available RAM. If you are interested in access to high-RAM runtimes, you may want to check out [Colab Pro](https://colab.research.google.com/signup/pricing?utm_source=dialog&utm_medium=link&utm_campaign=oom)."],
        ["https://github.com/googlecolab/colabtools/issues/2332", "**Your session crashed after using all available RAM.** "],
        ["https://github.com/borisdayma/dalle-mini/issues/207", "\"Your session crashed after using all available RAM. As a Colab Pro user, you have higher memory than non-subscribed users..\""],
        ["https://github.com/buxiangzhiren/DDCap/issues/39 (title; training on Kaggle)", "Your notebook tried to allocate more memory than is available. It has restarted."],
        ["find_string hit 9479864200 (a notebook's notes on Kaggle)", "(Connexion lente + message d'erreur : \"Your notebook tried to allocate more memory than is available. It has restarted.\")."],
        ["find_string hit 56270037239 (a Kaggle API client's notes on kernel statuses)", "    //    Failure message: \\\"Your notebook tried to allocate more memory than is available.\\\"\""],
      ],
      nearMiss: [
        // Crashes and stops the hosted runtime does not put down to memory.
        ["Your session crashed for an unknown reason.", null],
        ["Your notebook was stopped because it exceeded the max allowed execution duration.", null],
        // GPU memory stays cuda_oom; an allocation that fails inside the process stays host_oom.
        ["torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 14.75 GiB total capacity; 13.60 GiB already allocated)", "cuda_oom_alloc"],
        // crash-corpus zs ipython-12710's last line.
        ["MemoryError: Unable to allocate 348. KiB for an array with shape (2, 22297) and data type float64", "host_oom_numpy"],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("sixteenth round, zs: whole texts", () => {
  test("zs ftcp-8: Colab's notice alone is a kill from outside (process_killed), not host_oom", async () => {
    assert.deepEqual(await primaryOf("ftcp-8.log", corpus("process_killed/zs-ftcp-8-colab-session-crashed-all-ram.log")), {
      category: "process_killed",
      ruleId: "killed_cgroup_oom",
    });
  });
  test("a MemoryError the process raised before the runtime's notice stays the cause (host_oom)", async () => {
    // zs ipython-12710 (a notebook's MemoryError) followed by Colab's notice: the failure inside the process came first.
    const text = `${corpus("host_oom/zs-ipython-12710-memoryerror-allocate-array.log").trimEnd()}\nYour session crashed after using all available RAM.\n`;
    assert.equal((await primaryOf("memoryerror-then-colab.log", text))?.category, "host_oom");
  });
});
