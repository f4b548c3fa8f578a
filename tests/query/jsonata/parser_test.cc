#include "query/jsonata/parser.h"

#include <gtest/gtest.h>

#include "jsonata_test_util.h"

namespace flowstate::query::jsonata {
namespace {

using testing::Eval;

TEST(JsonataParser, Literals) {
  EXPECT_EQ(Eval("\"hello\""), "\"hello\"");
  EXPECT_EQ(Eval("'single'"), "\"single\"");
  EXPECT_EQ(Eval("42"), "42");
  EXPECT_EQ(Eval("-1.5e2"), "-150");
  EXPECT_EQ(Eval("true"), "true");
  EXPECT_EQ(Eval("null"), "null");
  EXPECT_EQ(Eval("\"\\u00e9\\n\""), "\"\xC3\xA9\\n\"");
}

TEST(JsonataParser, SyntaxErrors) {
  EXPECT_EQ(Eval("\"unterminated"), "error:S0101");
  EXPECT_EQ(Eval("1 +"), "error:S0207");
  EXPECT_EQ(Eval("(1; 2"), "error:S0203");
  EXPECT_EQ(Eval("[1, 2"), "error:S0203");
  EXPECT_EQ(Eval("1 2"), "error:S0201");
  EXPECT_EQ(Eval("[1!2]"), "error:S0204");
  EXPECT_EQ(Eval("/* open"), "error:S0106");
  EXPECT_EQ(Eval("`name"), "error:S0105");
  EXPECT_EQ(Eval("1 := 2"), "error:S0212");
  EXPECT_EQ(Eval("a.3"), "error:S0213");
  EXPECT_EQ(Eval("a@b"), "error:S0214");
  EXPECT_EQ(Eval("function(a){1}"), "error:S0208");
  EXPECT_EQ(Eval("%"), "error:S0217");
  EXPECT_EQ(Eval("\"\\q\""), "error:S0103");
}

TEST(JsonataParser, CommentsAndQuotedNames) {
  EXPECT_EQ(Eval("/* c */ a /* d */", R"({"a":1})"), "1");
  EXPECT_EQ(Eval("`x y`", R"({"x y":2})"), "2");
}

TEST(JsonataParser, DeepNestingIsAnErrorNotACrash) {
  std::string deep(20000, '(');
  deep += "1";
  deep += std::string(20000, ')');
  EXPECT_EQ(Eval(deep), "error:U1001");
  std::string chain = "1";
  for (int i = 0; i < 50000; ++i) chain += "+1";
  std::string result = Eval(chain);
  EXPECT_TRUE(result == "50001" || result == "error:U1001") << result;
}

TEST(JsonataParser, RegexLiteral) {
  EXPECT_EQ(Eval("$contains('abc', /B/i)"), "true");
  EXPECT_EQ(Eval("$split('a1b22c', /[0-9]+/)"), R"(["a","b","c"])");
}

}  // namespace
}  // namespace flowstate::query::jsonata
