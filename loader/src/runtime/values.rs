//! Where the runtime keeps the program's values in step with the code the table runs: whether a
//! change moves them, moving them (`migrate_to`), putting them back in the layouts of the code
//! a fault returned to (`reconcile`), and leaving a change that moves them for `main`'s next
//! safe point when hot code is on the stack (`defer`).

use super::{millis, share_history, Runtime, State};
use crate::log::{self, Level};
use crate::recover;
use crate::status;
use std::ffi::c_void;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use vais_hot_abi::layout::TypeLayout;
use vais_hot_abi::migrate;
use vais_hot_abi::status::Status;

impl Runtime {
    /// Whether going from the values' layouts `from` to `to` moves anything.
    pub(super) fn moves_values(&self, from: &[TypeLayout], to: &[TypeLayout]) -> bool {
        migrate::plan(from, to, &self.host.layouts).is_ok_and(|p| !p.is_empty())
    }

    /// Moves the program's values from the layouts they have to `to`, now. On a refusal,
    /// nothing has changed.
    pub(super) fn migrate_to(
        &self,
        state: &mut State,
        to: &Arc<Vec<TypeLayout>>,
    ) -> Result<(f64, u64, String), migrate::Refusal> {
        let plan = migrate::plan(&state.data_layouts, to, &self.host.layouts)?;
        if plan.is_empty() {
            state.data_layouts = to.clone();
            return Ok((0.0, 0, String::new()));
        }
        let took = crate::migration::execute(&plan)?;
        for w in &plan.warnings {
            log::line(Level::Info, &format!("warning: {w}"));
        }
        state.data_layouts = to.clone();
        Ok((millis(took), plan.moves.len() as u64, plan.summary()))
    }

    /// Whether applying what waits now would move the program's values: a patch or rollback
    /// of other layouts, or the values not in the layouts of the code the table runs (after a
    /// fault).
    pub(super) fn waiting_moves(&self, state: &State) -> bool {
        let runs = (0..=state.current)
            .rev()
            .find(|&i| !state.versions[i].faulted())
            .unwrap_or(state.current);
        let target = if state.rollback_pending && state.current > 0 {
            &state.versions[state.current - 1].layouts
        } else if let Some(p) = &state.pending {
            &p.layouts
        } else {
            &state.versions[runs].layouts
        };
        self.moves_values(&state.data_layouts, target)
            || !Arc::ptr_eq(&state.versions[runs].layouts, &state.data_layouts)
    }

    /// Leaves what waits for `main`'s next call of a hot function, saying so once.
    pub(super) fn defer(&self, state: &mut State) {
        crate::migration::set_pending(true);
        if !std::mem::replace(&mut state.deferred, true) {
            status::log_event(&format!(
                "v{} waits for main's next call of a hot function: it moves values, and hot code (which reads them at their old places) is on the stack",
                state.next_number
            ));
        }
    }

    /// At a safe point: puts the program's values in the layouts of the code the table runs.
    /// After a fault the handler has pointed the table at an older version, compiled against
    /// the layouts it had then, while the values kept the faulted version's; the handler cannot
    /// move them (no locks, no allocation), so it sets the pending flag and `main`'s next call
    /// of a hot function comes here before any of that code runs. When the values cannot be
    /// moved back, the newest kept version whose layouts the values have runs again instead
    /// (the faulted one, at worst: its fault cost one call; a new fault comes back here).
    pub(super) fn reconcile(&self, state: &mut State) {
        let faulted = state
            .versions
            .iter()
            .rev()
            .find(|v| v.faulted())
            .map_or(0, |v| v.number);
        self.follow_handler(state);
        let target = state.versions[state.current].layouts.clone();
        if Arc::ptr_eq(&target, &state.data_layouts) {
            return;
        }
        let number = state.versions[state.current].number;
        let reason = match self.migrate_to(state, &target) {
            Ok((ms, moved, plan)) => {
                if !plan.is_empty() {
                    status::log_event(&format!(
                        "v{number} runs again after v{faulted} faulted: {moved} live values moved back to its layouts in {ms:.3} ms: {plan}"
                    ));
                }
                return;
            }
            Err(e) => e.to_string(),
        };
        let matching = (0..state.versions.len()).rev().find(|&i| {
            let layouts = &state.versions[i].layouts;
            migrate::plan(&state.data_layouts, layouts, &self.host.layouts)
                .is_ok_and(|p| p.is_empty())
        });
        let Some(i) = matching else {
            // Only the host's code is kept (the history was cleaned up) and the values cannot
            // be moved to its layouts: nothing safe is left to run them with.
            let reason = format!(
                "cannot move the program's values back to v{number}'s layouts after the fault: {reason}; no kept version has their layouts"
            );
            status::log_event(&format!("rollback refused: {reason}"));
            status::emit(&Status::RollbackRefused { reason });
            return;
        };
        // Cleared so that the handler and `after_fault` treat it as the good version again.
        state.versions[i]
            .view
            .faulted
            .store(false, Ordering::SeqCst);
        state.current = i;
        let chosen = &state.versions[i];
        for (slot, ptr) in self.table.iter().zip(&chosen.pointers) {
            slot.store(ptr.cast_mut(), Ordering::Release);
        }
        let chosen = chosen.number;
        recover::set_current(chosen);
        share_history(state);
        let reason = format!(
            "cannot move the program's values back to v{number}'s layouts after the fault: {reason}; v{chosen}, whose layouts they have, runs again"
        );
        status::log_event(&format!("rollback refused: {reason}"));
        status::emit(&Status::RollbackRefused { reason });
    }

    /// Makes the current version the one the fault handler left in the table: the newest
    /// kept one that has not faulted (the handler sets the flags before it returns, so this
    /// holds at once, whether or not the reporter thread has run `after_fault` yet). Returns
    /// the pointers it holds, or `None` when every kept version faulted.
    pub(super) fn follow_handler(&self, state: &mut State) -> Option<Vec<*const c_void>> {
        let good = (0..=state.current)
            .rev()
            .find(|&i| !state.versions[i].faulted())?;
        state.current = good;
        Some(state.versions[good].pointers.clone())
    }
}
