#include <gtest/gtest.h>

#include "jsonata_test_util.h"

namespace flowstate::query::jsonata {
namespace {

using testing::Eval;

TEST(JsonataFunctions, Strings) {
  EXPECT_EQ(Eval("$string({'a': [1, 2.5]})"), R"("{\"a\":[1,2.5]}")");
  EXPECT_EQ(Eval("$string({'a': 1}, true)"), R"("{\n  \"a\": 1\n}")");
  EXPECT_EQ(Eval("$string(1/0)"), "error:D3001");
  EXPECT_EQ(Eval("$length('h\xC3\xA9llo')"), "5");
  EXPECT_EQ(Eval("$substring('hello world', -5, 3)"), "\"wor\"");
  EXPECT_EQ(Eval("$substringBefore('a-b-c', '-')"), "\"a\"");
  EXPECT_EQ(Eval("$substringAfter('a-b-c', '-')"), "\"b-c\"");
  EXPECT_EQ(Eval("$uppercase('abc') & $lowercase('DEF')"), "\"ABCdef\"");
  EXPECT_EQ(Eval("$trim('  a \n b  ')"), "\"a b\"");
  EXPECT_EQ(Eval("$pad('x', 3, '-') & $pad('y', -3)"), "\"x--  y\"");
  EXPECT_EQ(Eval("$join(['a','b'], ',')"), "\"a,b\"");
  EXPECT_EQ(Eval("$join(['a', 1])"), "error:T0412");
  EXPECT_EQ(Eval("$split('a,b,c', ',', 2)"), R"(["a","b"])");
  EXPECT_EQ(Eval("$split('a', ',', -1)"), "error:D3020");
  EXPECT_EQ(Eval("$base64encode('hi!') & ' ' & $base64decode('aGkh')"), "\"aGkh hi!\"");
  EXPECT_EQ(Eval("$encodeUrlComponent('a b&c')"), "\"a%20b%26c\"");
  EXPECT_EQ(Eval("$encodeUrl('http://x/a b?q=1')"), "\"http://x/a%20b?q=1\"");
  EXPECT_EQ(Eval("$decodeUrlComponent('a%20b')"), "\"a b\"");
  EXPECT_EQ(Eval("$decodeUrl('%E0%A4%A')"), "error:D3140");
}

TEST(JsonataFunctions, Regex) {
  EXPECT_EQ(Eval("$match('ab12cd345', /[0-9]+/)"),
            R"([{"match":"12","index":2,"groups":[]},{"match":"345","index":6,"groups":[]}])");
  EXPECT_EQ(Eval("$replace('John Smith', /(\\w+)\\s(\\w+)/, '$2, $1')"), "\"Smith, John\"");
  EXPECT_EQ(Eval("$replace('aaa', 'a', 'b', 2)"), "\"bba\"");
  EXPECT_EQ(Eval("$replace('abc', /b/, function($m){ $uppercase($m.match) })"), "\"aBc\"");
  EXPECT_EQ(Eval("$replace('abc', '', 'x')"), "error:D3010");
  EXPECT_EQ(Eval("/a(b)/('xab').groups"), R"(["b"])");
}

TEST(JsonataFunctions, Numbers) {
  EXPECT_EQ(Eval("$number('0x1F') + $number('12') + $number(true)"), "44");
  EXPECT_EQ(Eval("$number('abc')"), "error:D3030");
  EXPECT_EQ(Eval("[$round(2.5), $round(3.5), $round(-2.5), $round(1.005, 2)]"), "[2,4,-2,1]");
  EXPECT_EQ(Eval("[$floor(-1.5), $ceil(1.2), $abs(-3)]"), "[-2,2,3]");
  EXPECT_EQ(Eval("$power(2, 10)"), "1024");
  EXPECT_EQ(Eval("$sqrt(-1)"), "error:D3060");
  EXPECT_EQ(Eval("$random() < 1"), "true");
  EXPECT_EQ(Eval("[$sum([1,2,3]), $max([1,5,2]), $min([4,2]), $average([1,2]), $count([1,2])]"),
            "[6,5,2,1.5,2]");
  EXPECT_EQ(Eval("$sum(['a'])"), "error:T0412");
  EXPECT_EQ(Eval("$formatNumber(1234.5678, '#,##0.00')"), "\"1,234.57\"");
  EXPECT_EQ(Eval("$formatNumber(0.25, '0%')"), "\"25%\"");
  EXPECT_EQ(Eval("$formatBase(255, 16)"), "\"ff\"");
  EXPECT_EQ(Eval("$formatInteger(1999, 'I')"), "\"MCMXCIX\"");
  EXPECT_EQ(Eval("$formatInteger(21, 'w;o')"), "\"twenty-first\"");
  EXPECT_EQ(Eval("$parseInteger('one hundred and one', 'w')"), "101");
}

TEST(JsonataFunctions, ArraysAndObjects) {
  EXPECT_EQ(Eval("$append([1], 2)"), "[1,2]");
  EXPECT_EQ(Eval("$sort([3,1,2])"), "[1,2,3]");
  EXPECT_EQ(Eval("$sort([1,'a'])"), "error:D3070");
  EXPECT_EQ(Eval("$sort(['bb','a','ccc'], function($l, $r){ $length($l) > $length($r) })"),
            R"(["a","bb","ccc"])");
  EXPECT_EQ(Eval("$reverse([1,2,3])"), "[3,2,1]");
  EXPECT_EQ(Eval("$count($shuffle([1,2,3]))"), "3");
  EXPECT_EQ(Eval("$distinct([1,2,1,[1],[1]])"), "[1,2,[1]]");
  EXPECT_EQ(Eval("$zip([1,2],[3,4,5])"), "[[1,3],[2,4]]");
  EXPECT_EQ(Eval("$keys({'a':1,'b':2})"), R"(["a","b"])");
  EXPECT_EQ(Eval("$lookup({'a':1}, 'a')"), "1");
  EXPECT_EQ(Eval("$spread({'a':1,'b':2})"), R"([{"a":1},{"b":2}])");
  EXPECT_EQ(Eval("$merge([{'a':1},{'a':2,'b':3}])"), R"({"a":2,"b":3})");
  EXPECT_EQ(Eval("$each({'a':1}, function($v, $k){ $k & $v })"), "\"a1\"");
  EXPECT_EQ(Eval("$sift({'a':1,'b':2}, function($v){ $v > 1 })"), R"({"b":2})");
  EXPECT_EQ(Eval("[$type(1), $type('s'), $type(null), $type([]), $type({}), $type($sum)]"),
            R"(["number","string","null","array","object","function"])");
  EXPECT_EQ(Eval("[$boolean(''), $not(0), $exists(missing)]"), "[false,true,false]");
  EXPECT_EQ(Eval("$error('boom')"), "error:D3137");
  EXPECT_EQ(Eval("$assert(1 = 2, 'no')"), "error:D3141");
}

TEST(JsonataFunctions, HigherOrder) {
  EXPECT_EQ(Eval("$map([1,2,3], function($v, $i){ $v * $i })"), "[0,2,6]");
  EXPECT_EQ(Eval("$map([1,2], $string)"), R"(["1","2"])");
  EXPECT_EQ(Eval("$filter([1,2,3,4], function($v){ $v % 2 = 0 })"), "[2,4]");
  EXPECT_EQ(Eval("$single([1,2,3], function($v){ $v = 2 })"), "2");
  EXPECT_EQ(Eval("$single([1,2], function($v){ true })"), "error:D3138");
  EXPECT_EQ(Eval("$single([1,2], function($v){ false })"), "error:D3139");
  EXPECT_EQ(Eval("$reduce([1,2,3,4], function($a, $b){ $a + $b })"), "10");
  EXPECT_EQ(Eval("$reduce([1,2], function($a){ $a })"), "error:D3050");
}

TEST(JsonataFunctions, DateTime) {
  EXPECT_EQ(Eval("$fromMillis(1521801216617)"), "\"2018-03-23T10:33:36.617Z\"");
  EXPECT_EQ(Eval("$fromMillis(1521801216617, '[FNn], [D1o] [MNn] [Y]')"),
            "\"Friday, 23rd March 2018\"");
  EXPECT_EQ(Eval("$fromMillis(1531310400000, '[H01]:[m01][Z]', '-0500')"), "\"07:00-05:00\"");
  EXPECT_EQ(Eval("$toMillis('2017-10-30T15:28:34Z')"), "1509377314000");
  EXPECT_EQ(Eval("$toMillis('2018-02-01T09:42:13.123+0100')"), "1517474533123");
  EXPECT_EQ(Eval("$toMillis('21 August 2017', '[D1] [MNn] [Y0001]')"), "1503273600000");
  EXPECT_EQ(Eval("$toMillis('nope')"), "error:D3110");
  EXPECT_EQ(Eval("$toMillis('2018-22', '[Y]-[D]')"), "error:D3136");
  EXPECT_EQ(Eval("$millis() = $toMillis($now())"), "true");
}

}  // namespace
}  // namespace flowstate::query::jsonata
