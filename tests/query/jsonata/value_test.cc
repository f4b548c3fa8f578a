#include "query/jsonata/value.h"

#include <gtest/gtest.h>

#include "json/json.h"
#include "query/jsonata/expression.h"

namespace flowstate::query::jsonata {
namespace {

json::Json Doc(const char* text) { return *json::Parse(text); }

TEST(JsonataValue, SameAsJsonAcceptsWhatFromJsonBuilds) {
  const json::Json doc = Doc(R"({"a":[1,2.5,"x",null,true],"b":{"c":-3}})");
  EXPECT_TRUE(SameAsJson(FromJson(doc), doc));
  // An evaluation result equal to the document counts too (members in the same order).
  auto merged = Expression::Compile("$merge([{'a': [1, 2.5, 'x', null, true]}, {'b': {'c': -3}}])");
  ASSERT_TRUE(merged.has_value());
  EXPECT_TRUE(SameAsJson(*merged->Evaluate(Value()), doc));
}

TEST(JsonataValue, SameAsJsonRefusesAnyDifference) {
  const json::Json doc = Doc(R"({"a":1,"b":[0]})");
  EXPECT_FALSE(SameAsJson(FromJson(Doc(R"({"b":[0],"a":1})")), doc));     // member order
  EXPECT_FALSE(SameAsJson(FromJson(Doc(R"({"a":1,"b":[-0.0]})")), doc));  // sign of zero
  EXPECT_FALSE(SameAsJson(FromJson(Doc(R"({"a":"1","b":[0]})")), doc));   // type
  EXPECT_FALSE(SameAsJson(FromJson(Doc(R"({"a":1,"b":[0,0]})")), doc));   // size
  // A path result is a sequence: it behaves differently in later steps, so it is not reused.
  auto seq = Expression::Compile("[{'v': 0}, {'v': 1}].v");
  ASSERT_TRUE(seq.has_value());
  Value sequence = *seq->Evaluate(Value());
  ASSERT_TRUE(sequence.IsSequence());
  EXPECT_FALSE(SameAsJson(sequence, Doc("[0,1]")));
}

}  // namespace
}  // namespace flowstate::query::jsonata
