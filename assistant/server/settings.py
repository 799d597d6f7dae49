"""How the service was started; passed to worker processes through the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

ENV = "ASSISTANT_SERVE_"


@dataclass(frozen=True)
class Settings:
    db: str | None = None
    kb: str | None = None
    allow_simulated_clock: bool = False
    max_body_bytes: int = 1024 * 1024          # a JSON request; uploads are bounded by the template spec
    asks_per_minute: int = 600                 # per token; a burst of the same size is allowed
    tickets_per_minute: int = 10
    read_timeout_s: float = 15.0               # a request body that stalls this long between two parts: 408, closed

    def to_env(self) -> dict[str, str]:
        out = {f"{ENV}ALLOW_SIMULATED_CLOCK": "1" if self.allow_simulated_clock else "0",
               f"{ENV}ASKS_PER_MINUTE": str(self.asks_per_minute),
               f"{ENV}TICKETS_PER_MINUTE": str(self.tickets_per_minute),
               f"{ENV}READ_TIMEOUT_S": str(self.read_timeout_s)}
        if self.db:
            out[f"{ENV}DB"] = self.db
        if self.kb:
            out[f"{ENV}KB"] = self.kb
        return out

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(db=env.get(f"{ENV}DB") or None, kb=env.get(f"{ENV}KB") or None,
                   allow_simulated_clock=env.get(f"{ENV}ALLOW_SIMULATED_CLOCK") == "1",
                   asks_per_minute=int(env.get(f"{ENV}ASKS_PER_MINUTE", "600")),
                   tickets_per_minute=int(env.get(f"{ENV}TICKETS_PER_MINUTE", "10")),
                   read_timeout_s=float(env.get(f"{ENV}READ_TIMEOUT_S", "15")))
