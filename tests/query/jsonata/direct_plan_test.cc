// DirectPlan against the evaluator: on generated expressions of the plan's subset and generated
// documents, every answer the plan gives must be the evaluator's, to the JSON text (1 and 1.0
// differ there). Declining is always allowed; the test checks that most cases are answered.
#include "query/jsonata/direct_plan.h"

#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "json/json.h"
#include "query/jsonata/expression.h"

namespace flowstate::query::jsonata {
namespace {

using json::Json;

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  Json Document(int depth = 0) {
    switch (Pick(depth >= 3 ? 8 : 11)) {
      case 0:
        return Json(static_cast<int64_t>(Pick(21)) - 10);
      case 1:
        return Json(static_cast<uint64_t>(Pick(100)));
      case 2: {
        static const double kFloats[] = {2.5, 1.0, -0.0, 1e300, 0.1, 9007199254740993.0, -3.0};
        return Json(kFloats[Pick(7)]);
      }
      case 3:
        return Json(int64_t{9007199254740993});
      case 4: {
        static const char* kStrings[] = {"", "x", "10", "\xc3\xa9", "bench", "a b"};
        return Json(kStrings[Pick(6)]);
      }
      case 5:
        return Json(Pick(2) == 0);
      case 6:
        return Json(nullptr);
      case 7:
        return Json(static_cast<int64_t>(Pick(1000)));
      case 8:
      case 9: {
        Json object = Json::object();
        const int members = Pick(5);
        for (int i = 0; i < members; ++i) object[Key()] = Document(depth + 1);
        return object;
      }
      default: {
        Json array = Json::array();
        const int items = Pick(4);
        for (int i = 0; i < items; ++i) array.push_back(Document(depth + 1));
        return array;
      }
    }
  }

  // State inputs are objects mostly.
  Json Input() {
    if (Pick(4) == 0) return Document();
    Json object = Json::object();
    const int members = Pick(5);
    for (int i = 0; i < members; ++i) object[Key()] = Document(1);
    return object;
  }

  std::string Expression(int depth = 0) {
    switch (Pick(depth >= 3 ? 3 : 14)) {
      case 0:
        return Path();
      case 1:
        return Literal();
      case 2:
        return Path();
      case 3: {
        std::string out = "{";
        const int members = Pick(4);
        for (int i = 0; i < members; ++i) {
          if (i > 0) out += ", ";
          out += "\"k" + std::to_string(i) + "\": " + Expression(depth + 1);
        }
        return out + "}";
      }
      case 4: {
        std::string out = "[";
        const int items = Pick(3);
        for (int i = 0; i < items; ++i) out += (i > 0 ? ", " : "") + Expression(depth + 1);
        return out + "]";
      }
      case 5:
      case 6: {
        // Half start with the whole input: the shape a plan may build in the input itself.
        std::string out = Pick(2) == 0 ? "$merge([" : "$merge([$states.input, ";
        const int items = Pick(4);
        for (int i = 0; i < items; ++i) out += (i > 0 ? ", " : "") + Expression(depth + 1);
        if (out.back() == ' ') out.resize(out.size() - 2);
        return out + "])";
      }
      case 7:
        return "$merge(" + Expression(depth + 1) + ")";
      case 8:
      case 9: {
        static const char* kOps[] = {
            "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "&", "and", "or"};
        return "(" + Expression(depth + 1) + " " + kOps[Pick(14)] + " " + Expression(depth + 1) +
               ")";
      }
      case 10:
        return "-(" + Expression(depth + 1) + ")";
      case 11:
        return "(" + Expression(depth + 1) + " ? " + Expression(depth + 1) +
               (Pick(2) == 0 ? "" : " : " + Expression(depth + 1)) + ")";
      case 12:
        return "(" + Expression(depth + 1) + " ?? " + Expression(depth + 1) + ")";
      default:
        return "(" + Expression(depth + 1) + " ?: " + Expression(depth + 1) + ")";
    }
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::string Key() {
    static const char* kKeys[] = {"a", "b", "c", "id", "v", "1"};
    return kKeys[Pick(6)];
  }

  std::string Path() {
    static const char* kRoots[] = {
        "$states.input", "$states.result", "$states.errorOutput", "$v", "$w",
        "$nothing",      "$states.input",  "$states.input"};
    std::string out = kRoots[Pick(8)];
    const int steps = Pick(3);
    for (int i = 0; i < steps; ++i) out += ".`" + Key() + "`";
    return out;
  }

  std::string Literal() {
    static const char* kLiterals[] = {"1",    "0",     "-2.5", "1e308", "\"x\"", "\"\"",
                                      "true", "false", "null", "10",    "0.5",   "\"10\""};
    return kLiterals[Pick(12)];
  }

  std::mt19937 rng_;
};

// The evaluator's answer as text: the JSON text, "undefined" or "error".
std::string EvaluatorAnswer(const Expression& expression, const Json& states, const Json& vars) {
  EvalOptions options;
  options.bindings.emplace_back("states", FromJson(states));
  for (auto it = vars.begin(); it != vars.end(); ++it) {
    options.bindings.emplace_back(it.key(), FromJson(it.value()));
  }
  auto result = expression.Evaluate(Value(), options);
  if (!result) return "error";
  if (result->IsUndefined()) return "undefined";
  return json::Dump(ToJson(*result));
}

struct Tally {
  int compiled = 0;
  int answered = 0;
  int declined = 0;
  int taken = 0;  // answers built in the input given up
};

// With `give_up_input`, the plan may take the input (a copy here): it must then answer as
// without, and leave the input whole whenever it declines.
void Check(const std::string& source, const Json& states, const Json& vars, bool give_up_input,
           Tally& tally) {
  auto expression = Expression::Compile(source);
  ASSERT_TRUE(expression.has_value()) << source;
  auto plan = DirectPlan::Compile(*expression->root());
  if (plan == nullptr) return;
  ++tally.compiled;
  DirectPlan::Scope scope;
  Json input_copy;
  if (states.contains("input")) scope.input = &states["input"];
  if (give_up_input && scope.input != nullptr) {
    input_copy = *scope.input;
    scope.input = &input_copy;
    scope.consumable_input = &input_copy;
    scope.take_budget = SIZE_MAX;
  }
  if (states.contains("result")) scope.result = &states["result"];
  if (states.contains("errorOutput")) scope.error_output = &states["errorOutput"];
  scope.variables = &vars;
  Json out;
  const DirectPlan::Outcome outcome = plan->Evaluate(scope, out);
  if (outcome == DirectPlan::Outcome::kDecline) {
    ++tally.declined;
    if (give_up_input) {
      EXPECT_EQ(input_copy, states["input"]) << source;
    }
    return;
  }
  ++tally.answered;
  if (give_up_input && input_copy != states["input"]) ++tally.taken;
  const std::string expected = EvaluatorAnswer(*expression, states, vars);
  const std::string got =
      outcome == DirectPlan::Outcome::kUndefined ? "undefined" : json::Dump(out);
  EXPECT_EQ(got, expected) << source << "\n$states = " << json::Dump(states)
                           << "\nvariables = " << json::Dump(vars);
}

TEST(DirectPlanTest, AgreesWithTheEvaluatorOnGeneratedCases) {
  Generator gen(20261124);
  Tally tally;
  for (int i = 0; i < 20000; ++i) {
    const std::string source = gen.Expression();
    Json states = {{"input", gen.Input()}};
    if (i % 3 != 0) states["result"] = gen.Document();
    if (i % 5 == 0) states["errorOutput"] = gen.Document();
    Json vars = {{"v", gen.Document()}};
    if (i % 4 == 0) vars["merge"] = 1;  // a variable hides the built-in of its name
    Check(source, states, vars, /*give_up_input=*/i % 2 == 1, tally);
    if (testing::Test::HasFailure()) break;
  }
  // The generator stays inside the subset: most expressions compile and most are answered.
  EXPECT_EQ(tally.compiled, 20000);
  EXPECT_GT(tally.answered, tally.compiled / 3);
  EXPECT_GT(tally.taken, 100);
}

TEST(DirectPlanTest, AnswersTheUsualShapes) {
  const Json states = Json::parse(
      R"({"input": {"meta": {"name": "bench"}, "cur": {"step": 1, "prev": 0}, "v": 70,
                    "items": [{"id": 1}], "f": 2.0, "big": 9007199254740993},
          "result": [1, 2]})");
  const Json vars = {{"limit", 50}};
  struct Case {
    const char* source;
    const char* expected;
  };
  const Case cases[] = {
      {R"($merge([$states.input, {"cur": {"step": 2, "prev": $states.input.cur.step}}]))",
       R"({"meta":{"name":"bench"},"cur":{"step":2,"prev":1},"v":70,"items":[{"id":1}],"f":2,"big":9.007199254740992e+15})"},
      {R"({"id": $states.input.v, "kind": "small", "none": $states.input.nothing})",
       R"({"id":70,"kind":"small"})"},
      {"$states.input.v >= $limit", "true"},
      {"$states.input.items", R"([{"id":1}])"},
      {R"($merge([$states.input.meta, {"results": $states.result}]))",
       R"({"name":"bench","results":[1,2]})"},
      {"$states.input.v + 1", "71"},
      {"$states.input.f", "2"},
      {"$states.input.missing", "undefined"},
  };
  for (const Case& c : cases) {
    auto expression = Expression::Compile(c.source);
    ASSERT_TRUE(expression.has_value()) << c.source;
    auto plan = DirectPlan::Compile(*expression->root());
    ASSERT_NE(plan, nullptr) << c.source;
    DirectPlan::Scope scope;
    scope.input = &states["input"];
    scope.result = &states["result"];
    scope.variables = &vars;
    Json out;
    DirectPlan::Outcome outcome = plan->Evaluate(scope, out);
    ASSERT_NE(outcome, DirectPlan::Outcome::kDecline) << c.source;
    EXPECT_EQ(outcome == DirectPlan::Outcome::kUndefined ? "undefined" : json::Dump(out),
              c.expected)
        << c.source;
    EXPECT_EQ(c.expected, EvaluatorAnswer(*expression, states, vars)) << c.source;
  }
}

TEST(DirectPlanTest, TakesTheInputOnlyWithinItsBudgetAndAsEvaluated) {
  auto expression = Expression::Compile(R"($merge([$states.input, {"name": "0123456789"}]))");
  ASSERT_TRUE(expression.has_value());
  auto plan = DirectPlan::Compile(*expression->root());
  ASSERT_NE(plan, nullptr);
  struct Case {
    const char* input;
    size_t budget;
    bool taken;
  };
  // The member adds at most 6 * 4 + 4 + 12 = 40 bytes.
  const Case cases[] = {
      {R"({"a": 1})", SIZE_MAX, true},   {R"({"a": 1})", 40, true},
      {R"({"a": 1})", 39, false},        {R"({"a": 2.0})", SIZE_MAX, false},
      {R"({"a": 2.5})", SIZE_MAX, true}, {R"({"a": 9007199254740993})", SIZE_MAX, false},
  };
  for (const Case& c : cases) {
    const Json original = Json::parse(c.input);
    Json input = original;
    DirectPlan::Scope scope;
    scope.input = &input;
    scope.consumable_input = &input;
    scope.take_budget = c.budget;
    Json out;
    ASSERT_EQ(plan->Evaluate(scope, out), DirectPlan::Outcome::kValue) << c.input;
    EXPECT_EQ(input != original, c.taken) << c.input << " " << c.budget;
    const Json states = {{"input", original}};
    EXPECT_EQ(json::Dump(out), EvaluatorAnswer(*expression, states, Json::object())) << c.input;
  }
}

TEST(DirectPlanTest, LeavesWhatItDoesNotModelToTheEvaluator) {
  for (const char* source : {"$states.input.items.id", "$sum($states.input.n)", "$states",
                             "$states.context.Execution.Id", "$x := 1", "$states.input[0]",
                             "$merge([$states.input], 1)", "a.b"}) {
    auto expression = Expression::Compile(source);
    ASSERT_TRUE(expression.has_value()) << source;
    auto plan = DirectPlan::Compile(*expression->root());
    if (plan == nullptr) continue;
    // Compiled: then it must decline where arrays are mapped over.
    const Json input = Json::parse(R"({"items": [{"id": 1}, {"id": 2}]})");
    DirectPlan::Scope scope;
    scope.input = &input;
    Json out;
    EXPECT_EQ(plan->Evaluate(scope, out), DirectPlan::Outcome::kDecline) << source;
  }
}

}  // namespace
}  // namespace flowstate::query::jsonata
