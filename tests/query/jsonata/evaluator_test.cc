#include <gtest/gtest.h>

#include "jsonata_test_util.h"

namespace flowstate::query::jsonata {
namespace {

using testing::Eval;

constexpr const char* kOrders = R"({
  "Account": {"Name": "Firefly", "Order": [
    {"OrderID": "o1", "Product": [{"Name": "Hat", "Price": 10, "Qty": 2},
                                  {"Name": "Cap", "Price": 5, "Qty": 1}]},
    {"OrderID": "o2", "Product": [{"Name": "Shoe", "Price": 40, "Qty": 1}]}]}})";

TEST(JsonataEvaluator, PathsMapAndFlatten) {
  EXPECT_EQ(Eval("Account.Name", kOrders), "\"Firefly\"");
  EXPECT_EQ(Eval("Account.Order.Product.Name", kOrders), R"(["Hat","Cap","Shoe"])");
  EXPECT_EQ(Eval("Account.Order[0].OrderID", kOrders), "\"o1\"");
  EXPECT_EQ(Eval("Account.Order.Product[0].Name", kOrders), R"(["Hat","Shoe"])");
  EXPECT_EQ(Eval("(Account.Order.Product)[0].Name", kOrders), "\"Hat\"");
  EXPECT_EQ(Eval("Account.Order[-1].OrderID", kOrders), "\"o2\"");
  EXPECT_EQ(Eval("Account.Missing", kOrders), "undefined");
  EXPECT_EQ(Eval("Account.Order[1].Product.Name[]", kOrders), R"(["Shoe"])");
}

TEST(JsonataEvaluator, Predicates) {
  EXPECT_EQ(Eval("Account.Order.Product[Price > 8].Name", kOrders), R"(["Hat","Shoe"])");
  EXPECT_EQ(Eval("Account.Order[OrderID = 'o2'].Product.Name", kOrders), "\"Shoe\"");
  EXPECT_EQ(Eval("[1,2,3,4][[0, 2]]"), "[1,3]");
}

TEST(JsonataEvaluator, WildcardsAndDescendants) {
  EXPECT_EQ(Eval("a.*", R"({"a":{"x":1,"y":[2,3]}})"), "[1,2,3]");
  EXPECT_EQ(Eval("**.z", R"({"a":{"b":{"z":1}},"z":2})"), "[2,1]");
}

TEST(JsonataEvaluator, FocusIndexAndParent) {
  EXPECT_EQ(Eval("Account.Order#$i.Product.{'i': $i, 'n': Name}", kOrders),
            R"([{"i":0,"n":"Hat"},{"i":0,"n":"Cap"},{"i":1,"n":"Shoe"}])");
  EXPECT_EQ(Eval("Account.Order.Product.{'o': %.OrderID, 'n': Name}", kOrders),
            R"([{"o":"o1","n":"Hat"},{"o":"o1","n":"Cap"},{"o":"o2","n":"Shoe"}])");
  EXPECT_EQ(Eval("Account.Order@$o.$o.OrderID", kOrders), R"(["o1","o2"])");
}

TEST(JsonataEvaluator, FocusOutsideAPathIsIgnored) {
  // `@` marks a step; only a path step binds it, so a lone `$@$v` is just the context.
  EXPECT_EQ(Eval("$@$i", "[1,2,3]"), "[1,2,3]");
  EXPECT_EQ(Eval("[4,5]@$v", "null"), "[4,5]");
  EXPECT_EQ(Eval("$@$v.$v", "[1,2]"), "[1,2]");
  EXPECT_EQ(Eval("$#$i.$i", "[7,8]"), "[0,1]");
}

TEST(JsonataEvaluator, ParentSkipsContiguousFocusSteps) {
  // Focus steps keep their input as the context, so a run of them counts as one step when
  // `%` seeks its ancestor: `%.%` here is the input of `lib`, the document itself.
  constexpr const char* kLib = R"({"lib":{"a":[1,2],"b":[3]}})";
  EXPECT_EQ(Eval("lib.a@$x.b@$y.{'k': $keys(%.%), 's': $x + $y}", kLib),
            R"([{"k":"lib","s":4},{"k":"lib","s":5}])");
  EXPECT_EQ(Eval("lib.a@$x.b@$y.{'k': $keys(%)}", kLib), R"([{"k":["a","b"]},{"k":["a","b"]}])");
}

TEST(JsonataEvaluator, ObjectConstructionAndGrouping) {
  EXPECT_EQ(Eval("Account.Order.Product{Name: Price}", kOrders), R"({"Hat":10,"Cap":5,"Shoe":40})");
  EXPECT_EQ(Eval("Account.Order.{OrderID: $sum(Product.(Price * Qty))}", kOrders),
            R"([{"o1":25},{"o2":40}])");
  EXPECT_EQ(Eval("{'a': 1, 'b': [1,2]}"), R"({"a":1,"b":[1,2]})");
  EXPECT_EQ(Eval("{1: 2}"), "error:T1003");
  EXPECT_EQ(Eval("[{'k':'a'},{'k':'a'}]{k: 1, k: 2}"), "error:D1009");
}

TEST(JsonataEvaluator, ArraysAndRanges) {
  EXPECT_EQ(Eval("[1..5]"), "[1,2,3,4,5]");
  EXPECT_EQ(Eval("[1, [2, 3], 4..5]"), "[1,[2,3],4,5]");
  EXPECT_EQ(Eval("[1.5..3]"), "error:T2003");
  EXPECT_EQ(Eval("[1..1e8]"), "error:D2014");
  EXPECT_EQ(Eval("[]"), "[]");
}

TEST(JsonataEvaluator, OperatorsAndNumbers) {
  EXPECT_EQ(Eval("1 + 2 * 3"), "7");
  EXPECT_EQ(Eval("7 % 3"), "1");
  EXPECT_EQ(Eval("1 / 4"), "0.25");
  EXPECT_EQ(Eval("'a' + 1"), "error:T2001");
  EXPECT_EQ(Eval("1 - 'a'"), "error:T2002");
  EXPECT_EQ(Eval("1e300 * 1e300"), "error:D1001");
  EXPECT_EQ(Eval("missing + 1"), "undefined");
  EXPECT_EQ(Eval("-'x'"), "error:D1002");
  EXPECT_EQ(Eval("'a' & 1 & true & null & [1]"), "\"a1truenull[1]\"");
  EXPECT_EQ(Eval("0.1 + 0.2"), "0.30000000000000004");
  EXPECT_EQ(Eval("$string(0.1 + 0.2)"), "\"0.3\"");
}

TEST(JsonataEvaluator, ComparisonAndBoolean) {
  EXPECT_EQ(Eval("1 < 2 and 'b' > 'a'"), "true");
  EXPECT_EQ(Eval("1 < 'a'"), "error:T2009");
  EXPECT_EQ(Eval("{} < 1"), "error:T2010");
  EXPECT_EQ(Eval("[1,2] = [1,2]"), "true");
  EXPECT_EQ(Eval("missing = 1"), "false");
  EXPECT_EQ(Eval("false or 0"), "false");
  EXPECT_EQ(Eval("2 in [1,2]"), "true");
  EXPECT_EQ(Eval("x ? 'y' : 'n'", R"({"x": []})"), "\"n\"");
  EXPECT_EQ(Eval("missing ?? 'd'"), "\"d\"");
  EXPECT_EQ(Eval("0 ?: 'd'"), "\"d\"");
}

TEST(JsonataEvaluator, VariablesBlocksAndLambdas) {
  EXPECT_EQ(Eval("($x := 2; $y := $x * 3; $y)"), "6");
  EXPECT_EQ(Eval("($f := function($a, $b) { $a + $b }; $f(1, 2))"), "3");
  EXPECT_EQ(Eval("($add := function($a){ function($b){ $a + $b } }; $add(2)(3))"), "5");
  EXPECT_EQ(Eval("($f := $substring(?, 0, 2); $f('hello'))"), "\"he\"");
  EXPECT_EQ(Eval("'hello' ~> $uppercase()"), "\"HELLO\"");
  EXPECT_EQ(Eval("($f := $uppercase ~> $trim; $f(' a '))"), "\"A\"");
  EXPECT_EQ(Eval("$$.a", R"({"a": 5})"), "5");
  EXPECT_EQ(Eval("($f := function($x)<n:n>{ $x }; $f('s'))"), "error:T0410");
  EXPECT_EQ(Eval("foo()"), "error:T1006");
  EXPECT_EQ(Eval("sum([1])"), "error:T1005");
}

TEST(JsonataEvaluator, BindingsFromCaller) {
  EvalOptions options;
  options.bindings.emplace_back("states", FromJson(*json::Parse(R"({"input": {"v": 7}})")));
  EXPECT_EQ(Eval("$states.input.v + 1", "", options), "8");
}

TEST(JsonataEvaluator, ExtraFunctionsFromCaller) {
  FunctionTable extra;
  extra["twice"] = MakeNativeFunction("twice", "<n:n>", [](CallContext&, std::vector<Value>& a) {
    return Value::Number(a[0].AsNumber() * 2);
  });
  EvalOptions options;
  options.functions = &extra;
  EXPECT_EQ(Eval("$twice(21)", "", options), "42");
  EXPECT_EQ(Eval("$twice('x')", "", options), "error:T0410");
}

TEST(JsonataEvaluator, SortAndTransform) {
  EXPECT_EQ(Eval("Account.Order.Product^(>Price).Name", kOrders), R"(["Shoe","Hat","Cap"])");
  EXPECT_EQ(Eval("[3,1,2]^($)"), "[1,2,3]");
  EXPECT_EQ(Eval("$ ~> |a|{'y': 2}, ['x']|", R"({"a": {"x": 1}})"), R"({"a":{"y":2}})");
  EXPECT_EQ(Eval("$ ~> |a|5|", R"({"a": {"x": 1}})"), "error:T2011");
}

TEST(JsonataEvaluator, TopLevelArrayIsOneContext) {
  EXPECT_EQ(Eval("$[0]", "[1,2,3]"), "1");
  EXPECT_EQ(Eval("a[0]", R"([{"a":[1]},{"a":[2]}])"), "1");
  EXPECT_EQ(Eval("$count($)", "[1,2,3]"), "3");
}

}  // namespace
}  // namespace flowstate::query::jsonata

namespace flowstate::query::jsonata {
namespace {

TEST(JsonataEvaluator, ParentThroughBlocksAndPredicates) {
  EXPECT_EQ(Eval("Account.(Order.Product).{'o': %.OrderID, 'n': Name}", kOrders),
            R"([{"o":"o1","n":"Hat"},{"o":"o1","n":"Cap"},{"o":"o2","n":"Shoe"}])");
  EXPECT_EQ(Eval("Account.Order.(Product).{'a': %.%.Name}", kOrders),
            R"([{"a":"Firefly"},{"a":"Firefly"},{"a":"Firefly"}])");
  EXPECT_EQ(Eval("Account.Order.Product[%.OrderID = 'o2'].Name", kOrders), "\"Shoe\"");
  EXPECT_EQ(Eval("Account.Order.().%", kOrders), "undefined");
}

TEST(JsonataEvaluator, KeepArrayAndSingletons) {
  EXPECT_EQ(Eval("Account.Name[]", kOrders), R"(["Firefly"])");
  EXPECT_EQ(Eval("Account.Order[0].Product[0].Name", kOrders), "\"Hat\"");
  EXPECT_EQ(Eval("Account.Order{OrderID: Product.Name[]}", kOrders),
            R"({"o1":["Hat","Cap"],"o2":["Shoe"]})");
  EXPECT_EQ(Eval("[[1,2]][0]"), "[1,2]");
}

TEST(JsonataEvaluator, LongTailRecursiveLoopReusesScopes) {
  EXPECT_EQ(Eval("($loop := function($n, $acc){ $n = 0 ? $acc : $loop($n - 1, $acc + 1) };"
                 " $loop(300000, 0))"),
            "300000");
  // A closure keeps its scope alive while later calls reuse released scopes.
  EXPECT_EQ(Eval("($mk := function($v){ function(){ $v } }; $a := $mk(1); $b := $mk(2);"
                 " [$a(), $b(), $mk(3)()])"),
            "[1,2,3]");
}

}  // namespace
}  // namespace flowstate::query::jsonata
