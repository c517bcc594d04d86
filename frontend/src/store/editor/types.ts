// The editor store's whole shape, put together from its slices, and the type each slice's
// creator has (zustand's slice pattern: every slice sees, and may set, the whole store).

import type { StateCreator, StoreApi } from "zustand/vanilla";

import type { ClipboardActions, ClipboardState } from "./clipboard";
import type { CompileActions, CompileState } from "./compile";
import type { DebugActions, DebugState } from "./debug";
import type { DocumentActions, DocumentState } from "./document";
import type { EditActions } from "./edit";
import type { FunctionsActions, FunctionsState } from "./functions";
import type { HistoryActions, HistoryState } from "./history";
import type { LibraryActions, LibraryState } from "./library";

export type EditorState = DocumentState & HistoryState & ClipboardState & CompileState & DebugState & FunctionsState & LibraryState;
export type EditorActions = DocumentActions &
  EditActions &
  HistoryActions &
  ClipboardActions &
  CompileActions &
  DebugActions &
  FunctionsActions &
  LibraryActions;
export type EditorStore = EditorState & EditorActions;

/** Creates one slice `T` of the editor store. */
export type EditorSlice<T> = StateCreator<EditorStore, [], [], T>;

export type SetEditor = StoreApi<EditorStore>["setState"];
export type GetEditor = StoreApi<EditorStore>["getState"];
