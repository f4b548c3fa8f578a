#include "api/console_visit.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "json/json.h"

namespace flowstate::api {
namespace {

struct StateRef {
  asl::ScopeIndex scope = asl::kRootScope;
  asl::StateIndex index = asl::kNoState;
};

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// A payload as history keeps it: JSON text.
std::optional<json::Json> ParseJsonText(const json::Json& text) {
  if (!text.is_string()) return std::nullopt;
  auto parsed = json::Parse(text.get<std::string>());
  if (!parsed) return std::nullopt;
  return std::move(*parsed);
}

std::optional<json::Json> ParseText(const json::Json& details, const char* key) {
  auto it = details.find(key);
  return it == details.end() ? std::nullopt : ParseJsonText(*it);
}

// One frame of the execution as history shows it: the top level, a Parallel branch or a Map
// iteration, with the variables its states assigned so far.
struct Frame {
  asl::ScopeIndex scope = asl::kRootScope;
  int parent = -1;
  json::Json variables = json::Json::object();
  int64_t child_index = -1;               // Map iteration index (Parallel: found from the scope)
  std::optional<json::Json> first_input;  // its first state's input (a Map: ItemSelector's value)
  std::optional<json::Json> last_output;
  bool composite_open = false;  // in a Parallel or Map state that has started its children
  // The branches/iterations of its current Parallel or Map run, by (scope, iteration index).
  // A redrive continues them (engine/redrive.cc) and history links the continuation only by
  // its scope and index, so a new chain with the same ones is the same frame.
  std::map<std::pair<asl::ScopeIndex, int64_t>, int> children;
};

// Attributes events to frames and keeps each frame's variables, event by event.
class FrameTracker {
 public:
  explicit FrameTracker(const asl::StateMachineModel& model) : model_(model) {
    frames_.push_back(Frame{});
    for (size_t scope = 0; scope < model.scopes().size(); ++scope) {
      const auto& states = model.scopes()[scope].states;
      for (size_t index = 0; index < states.size(); ++index) {
        by_name_[states[index].name] = {static_cast<asl::ScopeIndex>(scope),
                                        static_cast<asl::StateIndex>(index)};
      }
    }
  }

  std::optional<StateRef> Find(const json::Json& details) const {
    auto name = details.find("name");
    if (name == details.end() || !name->is_string()) return std::nullopt;
    auto it = by_name_.find(name->get<std::string>());
    if (it == by_name_.end()) return std::nullopt;
    return it->second;
  }

  // The frame of `event`, creating it for the first event of a branch or iteration.
  int Attribute(const model::HistoryEvent& event, const json::Json& details) {
    auto known = frame_of_.find(event.previous_event_id);
    int frame = known == frame_of_.end() ? 0 : known->second;
    const bool entered = EndsWith(event.type, "StateEntered");
    std::optional<StateRef> state;
    if (entered || EndsWith(event.type, "StateExited") || event.type.starts_with("MapIteration")) {
      state = Find(details);
      if (!state) reliable_ = false;
    }
    if (state && redrives_.count(event.previous_event_id) != 0) {
      frame = AfterRedrive(state->scope, entered, event.previous_event_id);
    } else if (state) {
      const asl::ScopeIndex target = state->scope;
      // Walk up from the frame whose chain this event continues (maybe a finished branch or
      // iteration, or a sibling branch that ran before) to the frame of its state, or to the
      // frame in which a new branch or iteration of that scope starts.
      while (frames_[frame].scope != target) {
        if (entered && frames_[frame].scope == model_.scope(target).parent) {
          frame = NewFrame(target, frame, event.previous_event_id);
          break;
        }
        if (frames_[frame].parent < 0) {
          reliable_ = false;
          break;
        }
        frame = frames_[frame].parent;
      }
    }
    if (!state && (event.type.starts_with("Map") || event.type.starts_with("Parallel"))) {
      if (event.type == "ParallelStateStarted" || event.type == "MapStateStarted") {
        frames_[frame].composite_open = true;
      } else {
        // A Parallel/Map state's own event after its children (MapStateSucceeded...): it
        // continues the chain of a child, and belongs to the innermost frame in such a state.
        int owner = frame;
        while (owner >= 0 && !frames_[owner].composite_open) owner = frames_[owner].parent;
        if (owner >= 0) frame = owner;
      }
    }
    if (entered || event.type == "ParallelStateStarted" || event.type == "MapStateStarted") {
      frames_[frame].children.clear();  // a new state or run: earlier branches are done
    }
    if (entered && !frames_[frame].first_input) {
      frames_[frame].first_input = ParseText(details, "input");
    }
    frame_of_[event.id] = frame;
    if (event.type == "ExecutionRedriven") redrives_.insert(event.id);
    if (event.type == "MapIterationStarted") {
      iteration_index_[event.id] = details.value("index", int64_t{-1});
    }
    if (EndsWith(event.type, "StateExited")) {
      Frame& current = frames_[frame];
      current.composite_open = false;
      current.last_output = ParseText(details, "output");
      auto assigned = details.find("assignedVariables");
      if (assigned != details.end() && assigned->is_object()) {
        for (auto it = assigned->begin(); it != assigned->end(); ++it) {
          auto value = ParseJsonText(*it);
          if (!value) {
            reliable_ = false;
            continue;
          }
          current.variables[it.key()] = std::move(*value);
        }
      }
    }
    return frame;
  }

  // The variables `frame` reads (engine/variables.cc: inner names win), or nullopt when some
  // event could not be placed.
  std::optional<json::Json> Visible(int frame) const {
    if (!reliable_) return std::nullopt;
    std::vector<int> chain;
    for (int id = frame; id >= 0; id = frames_[id].parent) chain.push_back(id);
    json::Json visible = json::Json::object();
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      for (auto member = frames_[*it].variables.begin(); member != frames_[*it].variables.end();
           ++member) {
        visible[member.key()] = member.value();
      }
    }
    return visible;
  }

  const std::vector<Frame>& frames() const { return frames_; }

 private:
  // A redrive continues every frame that had not finished from the ExecutionRedriven event
  // (engine/redrive.cc), so the chain does not tell which: the one open frame of the scope, or
  // a new branch/iteration in the one open frame of the parent scope.
  int AfterRedrive(asl::ScopeIndex target, bool entered, int64_t redrive_event) {
    std::vector<int> open = OpenFrames(target);
    if (open.size() == 1) return open[0];
    if (open.empty() && entered && model_.scope(target).parent >= 0) {
      std::vector<int> parents = OpenFrames(model_.scope(target).parent);
      if (parents.size() == 1) return NewFrame(target, parents[0], redrive_event);
    }
    reliable_ = false;
    return 0;
  }

  // The frames of `scope` still open: the root, and the branches/iterations of the current
  // Parallel/Map run of an open frame.
  std::vector<int> OpenFrames(asl::ScopeIndex scope) const {
    std::vector<int> found;
    std::vector<int> pending = {0};
    while (!pending.empty()) {
      const int id = pending.back();
      pending.pop_back();
      if (frames_[id].scope == scope) found.push_back(id);
      for (const auto& [key, child] : frames_[id].children) pending.push_back(child);
    }
    return found;
  }

  // The frame a branch or iteration of `scope` starts in `parent`: the one of the current run
  // that a redrive continues, or a new one.
  int NewFrame(asl::ScopeIndex scope, int parent, int64_t started_by) {
    Frame frame;
    frame.scope = scope;
    frame.parent = parent;
    auto index = iteration_index_.find(started_by);
    if (index != iteration_index_.end()) frame.child_index = index->second;
    const auto key = std::make_pair(scope, frame.child_index);
    auto existing = frames_[parent].children.find(key);
    if (existing != frames_[parent].children.end()) return existing->second;
    frames_.push_back(std::move(frame));
    const int id = static_cast<int>(frames_.size()) - 1;
    frames_[parent].children[key] = id;
    return id;
  }

  const asl::StateMachineModel& model_;
  std::unordered_map<std::string, StateRef> by_name_;
  std::vector<Frame> frames_;
  std::unordered_map<int64_t, int> frame_of_;
  std::unordered_map<int64_t, int64_t> iteration_index_;
  std::unordered_set<int64_t> redrives_;  // ExecutionRedriven event ids
  bool reliable_ = true;
};

// What a visit's own events say, gathered after its ...StateEntered.
class VisitEvents {
 public:
  VisitEvents(const asl::State& state, int frame) : state_(state), frame_(frame) {}

  // Takes one event in `frame`; true when the visit has ended (its ...StateExited).
  bool Take(const model::HistoryEvent& event, const json::Json& details, int frame,
            const FrameTracker& tracker, engine::RecordedVisit& visit) {
    if (event.type == "ExecutionRedriven") {
      failed_ = false;  // the failure that ended the execution is being retried
      return false;
    }
    if (frame != frame_) {
      if (tracker.frames()[frame].parent == frame_ &&
          (children_.empty() || children_.back() != frame)) {
        children_.push_back(frame);
      }
      return false;
    }
    const std::string_view type = event.type;
    if (EndsWith(type, "StateEntered")) {
      return true;  // entered again (a redrive) or left without an exit: this visit is over
    }
    if (EndsWith(type, "Scheduled") || type == "ParallelStateStarted" ||
        type == "MapStateStarted") {
      ++attempts_;
      visit.result.reset();
      visit.failure.reset();
      failed_ = false;
      children_.clear();
      if (EndsWith(type, "Scheduled")) {
        visit.task_input =
            ParseText(details, details.contains("parameters") ? "parameters" : "input");
      }
      if (type == "MapStateStarted") length_ = details.value("length", int64_t{0});
    } else if (EndsWith(type, "Succeeded") && details.contains("output")) {
      visit.result = ParseText(details, "output");
    } else if (type == "ParallelStateSucceeded" || type == "MapStateSucceeded") {
      visit.result = CompositeResult(tracker);
    } else if (EndsWith(type, "Failed") || EndsWith(type, "TimedOut")) {
      failed_ = true;
      if (details.contains("error") || details.contains("cause")) {
        visit.failure = base::AslError{details.value("error", ""), details.value("cause", "")};
      } else {
        visit.failure.reset();  // e.g. ParallelStateFailed: the error is its branch's
      }
    } else if (EndsWith(type, "StateExited")) {
      visit.output = ParseText(details, "output");
      visit.assigned = std::nullopt;
      if (details.contains("assignedVariables")) {
        json::Json assigned = json::Json::object();
        for (auto it = details["assignedVariables"].begin();
             it != details["assignedVariables"].end(); ++it) {
          auto value = ParseJsonText(*it);
          if (value) assigned[it.key()] = std::move(*value);
        }
        visit.assigned = std::move(assigned);
      }
      const bool catchable = state_.type == asl::StateType::kTask ||
                             state_.type == asl::StateType::kParallel ||
                             state_.type == asl::StateType::kMap;
      visit.caught = catchable && (!visit.result || failed_);
      return true;
    }
    return false;
  }

  int32_t retry_count() const { return attempts_ > 1 ? attempts_ - 1 : 0; }

 private:
  // The branch outputs (Parallel, in branch order) or iteration outputs (Map, by index): each
  // the last output its frame recorded. Missing ones (a Distributed Map's iterations are not in
  // this history) leave the result unknown.
  std::optional<json::Json> CompositeResult(const FrameTracker& tracker) const {
    return PerChild(tracker, &Frame::last_output);
  }

 public:
  // A Map's iteration inputs in index order (what ItemSelector made of each item), when every
  // iteration is in this history.
  std::optional<json::Json> ItemInputs(const FrameTracker& tracker) const {
    if (state_.type != asl::StateType::kMap || children_.empty()) return std::nullopt;
    return PerChild(tracker, &Frame::first_input);
  }

 private:
  std::optional<json::Json> PerChild(const FrameTracker& tracker,
                                     std::optional<json::Json> Frame::*member) const {
    const bool parallel = state_.type == asl::StateType::kParallel;
    const size_t size = parallel ? state_.parallel.branches.size() : static_cast<size_t>(length_);
    std::vector<std::optional<json::Json>> outputs(size);
    for (int child : children_) {
      const Frame& frame = tracker.frames()[child];
      int64_t index = frame.child_index;
      if (parallel) {
        for (size_t b = 0; b < state_.parallel.branches.size(); ++b) {
          if (state_.parallel.branches[b] == frame.scope) index = static_cast<int64_t>(b);
        }
      }
      if (index < 0 || static_cast<size_t>(index) >= size) return std::nullopt;
      outputs[static_cast<size_t>(index)] = frame.*member;
    }
    json::Json result = json::Json::array();
    for (auto& output : outputs) {
      if (!output) return std::nullopt;
      result.push_back(std::move(*output));
    }
    return result;
  }

  const asl::State& state_;
  int frame_;
  int attempts_ = 0;
  bool failed_ = false;
  int64_t length_ = 0;
  std::vector<int> children_;
};

}  // namespace

ApiResult<engine::RecordedVisit> RecoverVisit(const asl::StateMachineModel& model,
                                              const store::ExecutionRecord& execution,
                                              const store::StateMachineRecord& revision,
                                              const std::vector<model::HistoryEvent>& events,
                                              int64_t entered_event_id) {
  engine::RecordedVisit visit;
  visit.info = store::ExecutionInfoAtStart(execution, revision);
  auto input = json::Parse(execution.input);
  visit.execution_input = input ? std::move(*input) : json::Json();
  FrameTracker tracker(model);
  std::optional<VisitEvents> own;
  for (const model::HistoryEvent& event : events) {
    const json::Json details =
        event.details.is_null() ? json::Json::object() : event.details.ToJson();
    const int frame = tracker.Attribute(event, details);
    if (own) {
      if (own->Take(event, details, frame, tracker, visit)) break;
      continue;
    }
    if (event.type == "ExecutionRedriven") {
      ++visit.info.redrive_count;
      visit.info.redrive_time = event.timestamp;
    }
    if (event.id != entered_event_id) continue;
    auto state = tracker.Find(details);
    if (!EndsWith(event.type, "StateEntered") || !state) {
      return Fail("ValidationException",
                  "event " + std::to_string(entered_event_id) + " is not a state's entry");
    }
    auto state_input = ParseText(details, "input");
    if (!state_input) {
      return Fail("ValidationException", "the state's recorded input is not JSON");
    }
    visit.scope = state->scope;
    visit.state = state->index;
    visit.entered_event_id = event.id;
    visit.entered_time = event.timestamp;
    visit.input = std::move(*state_input);
    visit.variables = tracker.Visible(frame);
    own.emplace(model.state(state->scope, state->index), frame);
  }
  if (!own) {
    return Fail("ValidationException",
                "the execution has no event " + std::to_string(entered_event_id));
  }
  visit.retry_count = own->retry_count();
  visit.item_inputs = own->ItemInputs(tracker);
  return visit;
}

}  // namespace flowstate::api
