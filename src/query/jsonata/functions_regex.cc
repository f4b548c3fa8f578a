// Functions taking a string or regex pattern: $contains, $split, $match, $replace, and regex
// values called directly.
#include <cmath>

#include "query/jsonata/error.h"
#include "query/jsonata/functions.h"
#include "query/jsonata/regex.h"
#include "query/jsonata/utf8.h"

namespace flowstate::query::jsonata {

namespace {

bool IsRegex(const Value& v) {
  return v.IsFunction() && v.AsFunction().kind == FunctionKind::kRegex;
}

double CharIndex(const std::string& s, size_t byte_offset) {
  return static_cast<double>(CodePointCount(std::string_view(s).substr(0, byte_offset)));
}

// All matches of a regex (zero-length matches are an error, as in jsonata-js).
std::vector<RegexMatch> AllMatches(const Regex& re, const std::string& s, size_t limit,
                                   int64_t position) {
  std::vector<RegexMatch> out;
  size_t from = 0;
  RegexMatch m;
  while (out.size() < limit && from <= s.size() && re.Search(s, from, &m)) {
    if (m.end == m.start) Fail("D1004", position, std::nullopt, Value::String(re.pattern()));
    from = m.end;
    out.push_back(m);
  }
  return out;
}

// Byte offset of the code point at `index` (clamped to the end).
size_t ByteOffset(const std::string& s, int64_t index) {
  size_t i = 0;
  for (int64_t n = 0; n < index && i < s.size(); ++n) {
    i++;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) i++;
  }
  return i;
}

// Matches from a user-supplied matcher function ({match, start, end, groups, next}).
std::vector<RegexMatch> CustomMatches(CallContext& ctx, const Value& matcher, const std::string& s,
                                      size_t limit) {
  std::vector<RegexMatch> out;
  Value m = ctx.evaluator.Apply(matcher, {Value::String(s)}, ctx.input, ctx.position);
  size_t last_end = 0;
  while (m.IsObject() && out.size() < limit) {
    const ObjectData& o = m.AsObject();
    const Value* start = o.Find("start");
    const Value* end = o.Find("end");
    if (start == nullptr || end == nullptr || !start->IsNumber() || !end->IsNumber()) {
      Fail("T1010", ctx.position, "replace");
    }
    RegexMatch r;
    r.start = ByteOffset(s, ClampToInt(start->AsNumber()));
    r.end = ByteOffset(s, ClampToInt(end->AsNumber()));
    if (r.start < last_end || r.end < r.start) break;  // matchers must move forward
    last_end = r.end;
    if (const Value* groups = o.Find("groups"); groups != nullptr && groups->IsArray()) {
      for (const auto& g : groups->AsArray().items) r.groups.emplace_back(g.AsString());
    }
    out.push_back(std::move(r));
    const Value* next = o.Find("next");
    if (next == nullptr || !next->IsFunction()) break;
    m = ctx.evaluator.Apply(*next, {}, ctx.input, ctx.position);
  }
  return out;
}

size_t LimitArg(const Value& v, const char* code, int64_t position) {
  if (v.IsUndefined()) return SIZE_MAX;
  if (v.AsNumber() < 0) Fail(code, position, std::nullopt, v);
  return static_cast<size_t>(ClampToInt(v.AsNumber()));
}

Value MatchObject(const std::string& s, const RegexMatch& m) {
  auto obj = std::make_shared<ObjectData>();
  obj->Set("match", Value::String(s.substr(m.start, m.end - m.start)));
  obj->Set("index", Value::Number(CharIndex(s, m.start)));
  auto groups = NewArray(false);
  for (const auto& g : m.groups) groups->items.push_back(Value::String(g.value_or("")));
  obj->Set("groups", Value::FromArray(groups));
  return Value::FromObject(std::move(obj));
}

std::string ExpandReplacement(const std::string& repl, const std::string& s, const RegexMatch& m) {
  std::string out;
  for (size_t i = 0; i < repl.size(); ++i) {
    if (repl[i] != '$' || i + 1 >= repl.size()) {
      out.push_back(repl[i]);
      continue;
    }
    char next = repl[i + 1];
    if (next == '$') {
      out.push_back('$');
      i++;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(next))) {
      out.push_back('$');
      continue;
    }
    size_t end = i + 1;
    while (end < repl.size() && std::isdigit(static_cast<unsigned char>(repl[end]))) end++;
    std::string digits = repl.substr(i + 1, end - i - 1);
    // Use the longest prefix naming an existing group; the rest is literal.
    while (digits.size() > 1 && std::stoul(digits) > m.groups.size()) digits.pop_back();
    size_t group = std::stoul(digits);
    if (group == 0) {
      out += s.substr(m.start, m.end - m.start);
    } else if (group <= m.groups.size()) {
      out += m.groups[group - 1].value_or("");
    }
    i += digits.size();
  }
  return out;
}

Value Replace(CallContext& ctx, std::vector<Value>& a) {
  if (Arg(a, 0).IsUndefined()) return Value();
  const std::string& s = a[0].AsString();
  if (a[1].IsString() && a[1].AsString().empty()) Fail("D3010", ctx.position);
  size_t limit = LimitArg(Arg(a, 3), "D3011", ctx.position);
  const Value& repl = Arg(a, 2);
  std::vector<RegexMatch> matches;
  if (IsRegex(a[1])) {
    matches = AllMatches(*a[1].AsFunction().regex, s, limit, ctx.position);
  } else if (a[1].IsFunction()) {
    matches = CustomMatches(ctx, a[1], s, limit);
  } else if (!a[1].IsString()) {
    return Value();
  } else {
    const std::string& pat = a[1].AsString();
    size_t from = 0;
    while (matches.size() < limit) {
      size_t at = s.find(pat, from);
      if (at == std::string::npos) break;
      RegexMatch m;
      m.start = at;
      m.end = at + pat.size();
      matches.push_back(m);
      from = m.end;
    }
  }
  std::string out;
  size_t last = 0;
  for (const auto& m : matches) {
    out += s.substr(last, m.start - last);
    if (repl.IsString()) {
      out += ExpandReplacement(repl.AsString(), s, m);
      ctx.evaluator.CheckStringSize(out.size(), ctx.position);
    } else {
      Value r = ctx.evaluator.Apply(repl, {MatchObject(s, m)}, ctx.input, ctx.position);
      if (!r.IsString()) Fail("D3012", ctx.position, std::nullopt, r);
      out += r.AsString();
    }
    last = m.end;
  }
  out += s.substr(last);
  return Value::String(out);
}

Value Split(CallContext& ctx, std::vector<Value>& a) {
  if (Arg(a, 0).IsUndefined()) return Value();
  const std::string& s = a[0].AsString();
  size_t limit = LimitArg(Arg(a, 2), "D3020", ctx.position);
  auto out = NewArray(false);
  if (IsRegex(a[1])) {
    size_t last = 0;
    for (const auto& m : AllMatches(*a[1].AsFunction().regex, s, SIZE_MAX, ctx.position)) {
      out->items.push_back(Value::String(s.substr(last, m.start - last)));
      last = m.end;
    }
    out->items.push_back(Value::String(s.substr(last)));
  } else {
    const std::string& sep = a[1].AsString();
    if (sep.empty()) {
      for (char32_t c : DecodeUtf8(s))
        out->items.push_back(Value::String(EncodeUtf8(std::u32string(1, c))));
    } else {
      size_t last = 0;
      while (true) {
        size_t at = s.find(sep, last);
        if (at == std::string::npos) break;
        out->items.push_back(Value::String(s.substr(last, at - last)));
        last = at + sep.size();
      }
      out->items.push_back(Value::String(s.substr(last)));
    }
  }
  if (out->items.size() > limit) out->items.resize(limit);
  return Value::FromArray(out);
}

}  // namespace

Value RegexMatchValue(Evaluator& evaluator, const std::shared_ptr<const Regex>& regex,
                      const Value& subject, size_t from) {
  if (!subject.IsString()) return Value();
  const std::string& s = subject.AsString();
  RegexMatch m;
  if (from > s.size() || !regex->Search(s, from, &m)) return Value();
  if (m.end == m.start) Fail("D1004", 0, std::nullopt, Value::String(regex->pattern()));
  auto obj = std::make_shared<ObjectData>();
  obj->Set("match", Value::String(s.substr(m.start, m.end - m.start)));
  obj->Set("start", Value::Number(CharIndex(s, m.start)));
  obj->Set("end", Value::Number(CharIndex(s, m.end)));
  auto groups = NewArray(false);
  for (const auto& g : m.groups) groups->items.push_back(Value::String(g.value_or("")));
  obj->Set("groups", Value::FromArray(groups));
  size_t next_from = m.end;
  Evaluator* ev = &evaluator;
  obj->Set("next",
           MakeNativeFunction("next", "",
                              [ev, regex, subject, next_from](CallContext&, std::vector<Value>&) {
                                return RegexMatchValue(*ev, regex, subject, next_from);
                              }));
  return Value::FromObject(std::move(obj));
}

void RegisterRegexFunctions(FunctionTable& t) {
  Register(t, "contains", "<s-(sf):b>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    const std::string& s = a[0].AsString();
    if (IsRegex(a[1])) {
      RegexMatch m;
      return Value::Bool(a[1].AsFunction().regex->Search(s, 0, &m));
    }
    return Value::Bool(s.find(a[1].AsString()) != std::string::npos);
  });
  Register(t, "split", "<s-(sf)n?:a<s>>", Split);
  Register(t, "replace", "<s-(sf)(sf)n?:s>", Replace);
  Register(t, "match", "<s-f<s:o>n?:a<o>>", [](CallContext& ctx, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    const std::string& s = a[0].AsString();
    size_t limit = LimitArg(Arg(a, 2), "D3040", ctx.position);
    Value result = MakeSequence();
    if (!IsRegex(a[1])) {
      // A custom matcher: returns {match, start, end, groups, next} objects.
      Value m = ctx.evaluator.Apply(a[1], {a[0]}, ctx.input, ctx.position);
      while (m.IsObject() && result.AsArray().items.size() < limit) {
        const ObjectData& o = m.AsObject();
        auto entry = std::make_shared<ObjectData>();
        const Value* match = o.Find("match");
        const Value* start = o.Find("start");
        const Value* groups = o.Find("groups");
        if (match == nullptr || start == nullptr) Fail("T1010", ctx.position, "match");
        entry->Set("match", *match);
        entry->Set("index", *start);
        entry->Set("groups", groups != nullptr ? *groups : MakeArray({}));
        result.MutableArray().items.push_back(Value::FromObject(entry));
        const Value* next = o.Find("next");
        if (next == nullptr || !next->IsFunction()) break;
        m = ctx.evaluator.Apply(*next, {}, ctx.input, ctx.position);
      }
      return result;
    }
    for (const auto& m : AllMatches(*a[1].AsFunction().regex, s, limit, ctx.position)) {
      result.MutableArray().items.push_back(MatchObject(s, m));
    }
    return result;
  });
}

}  // namespace flowstate::query::jsonata
