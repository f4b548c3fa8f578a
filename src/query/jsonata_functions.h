// The functions Step Functions adds to JSONata (AWS-REFERENCE.md §6.4): $partition, $range,
// $hash, $random (with an optional seed), $uuid and $parse. They are the JSONata twins of
// States.ArrayPartition, States.ArrayRange, States.Hash, States.MathRandom, States.UUID and
// States.StringToJson, and share their limits. $eval is not offered (AWS removed it).
#pragma once

#include "query/jsonata/evaluator.h"

namespace flowstate::base {
class Rng;
}  // namespace flowstate::base

namespace flowstate::query {

// The table to pass as jsonata::EvalOptions::functions: one for the process, built on first
// use. $uuid and an unseeded $random draw from the evaluation's EvalOptions::rng; without
// one they fail.
const jsonata::FunctionTable& StepFunctionsFunctions();

// java.util.Random(seed).nextDouble(): what a seeded $random returns, so one seed gives the
// same number on every run and every engine that follows the JVM's generator.
double SeededRandom(int64_t seed);

}  // namespace flowstate::query
