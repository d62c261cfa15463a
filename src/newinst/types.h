#pragma once

// The words of the new-institution procedure (DOMAIN.md §9, seed 003; docs/newinst.md)
// shared by its parts: provisional codes and 受付番号, the code swap, the re-issue of
// certificates and the withdrawal when designation does not happen.

#include <optional>
#include <string_view>

namespace claimsca::newinst {

// The state of a provisional code (newinst_institutions.state, migration 074):
// provisional (仮コード発行済み) → presented (受付番号提示済み) → designated (指定済み: the
// swap to the real code is done) or withdrawn (指定なし: everything set up is undone).
enum class State { kProvisional, kPresented, kDesignated, kWithdrawn };

std::string_view Name(State s);          // "provisional" | "presented" | …
std::string_view JapaneseName(State s);  // 仮コード発行済み | 受付番号提示済み | …
std::optional<State> ParseState(std::string_view name);

// True for the states in which the provisional code (and the 受付番号 once presented) still
// stand in for the real code: provisional, presented.
bool IsOpen(State s);

}  // namespace claimsca::newinst
