// Who is signed in; `undefined` while the first /api/auth/me/ is in flight.
import { create } from "zustand";

import { api } from "../lib/api";

export interface Me {
  id: number;
  username: string;
  is_staff: boolean;
}

interface SessionState {
  me: Me | null | undefined;
  refresh(): Promise<Me | null>;
  setMe(me: Me | null): void;
  logout(): Promise<void>;
}

export const useSession = create<SessionState>()((set) => ({
  me: undefined,
  async refresh() {
    try {
      const me = await api<Me>("auth/me/", { quiet401: true });
      set({ me });
      return me;
    } catch {
      set({ me: null });
      return null;
    }
  },
  setMe(me) {
    set({ me });
  },
  async logout() {
    try {
      await api("auth/logout/", { method: "POST", quiet401: true });
    } finally {
      set({ me: null });
    }
  },
}));
