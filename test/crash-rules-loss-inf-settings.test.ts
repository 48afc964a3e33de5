/**
 * The two nan_loss_metric patterns of the twenty-fourth round (zzq: a loss key of a few words, `Gen Loss Total :  nan`;
 * a key/value table row, `| loss | nan |`) read NaN only. Their `inf` branch matched what healthy runs print before any
 * step: a best-so-far initialised to infinity and settings whose value is infinite (`Best loss value: inf`,
 * `loss clip: inf`, `| best_loss | inf |`); no corpus entry needed it (the session's review, 2026-12-07).
 */
import { describe } from "node:test";
import { loadRules } from "../agent/crash/rules.js";
import { testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();

describe("nan_loss_metric reads a NaN loss, not an infinite setting", () => {
  const families: Family[] = [
    {
      rule: "nan_loss_metric",
      real: [
        ["crash-corpus zzq hifi-gan-143 (the line shape of HiFi-GAN's training loop)", "Steps : 1000, Gen Loss Total :  nan, Mel-Spec. Error : nan, s/b : 0.310"],
        ["the OpenAI logger's key/value table (crash-corpus zzq guided-diffusion-50's shape)", "| loss             | nan      |"],
      ],
      nearMiss: [
        ["Best loss value: inf", null],
        ["best loss init = inf", null],
        ["loss weight: inf", null],
        ["loss clip: inf", null],
        ["loss threshold: inf", null],
        ["| best_loss | inf |", null],
        ["| min_loss | inf |", null],
        ["| train/loss_ratio | inf |", null],
      ],
    },
  ];
  testFamilies(rules, families);
});
