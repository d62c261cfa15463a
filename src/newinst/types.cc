#include "newinst/types.h"

namespace claimsca::newinst {

std::string_view Name(State s) {
  switch (s) {
    case State::kProvisional:
      return "provisional";
    case State::kPresented:
      return "presented";
    case State::kDesignated:
      return "designated";
    case State::kWithdrawn:
      return "withdrawn";
  }
  return "provisional";
}

std::string_view JapaneseName(State s) {
  switch (s) {
    case State::kProvisional:
      return "仮コード発行済み";
    case State::kPresented:
      return "受付番号提示済み";
    case State::kDesignated:
      return "指定済み";
    case State::kWithdrawn:
      return "取り下げ（指定なし）";
  }
  return "仮コード発行済み";
}

std::optional<State> ParseState(std::string_view name) {
  for (State s : {State::kProvisional, State::kPresented, State::kDesignated, State::kWithdrawn}) {
    if (Name(s) == name) return s;
  }
  return std::nullopt;
}

bool IsOpen(State s) { return s == State::kProvisional || s == State::kPresented; }

}  // namespace claimsca::newinst
