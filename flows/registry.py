"""The flows of one app, by name and by trigger word, checked when they are added.

Built by the app factory (handlers.build_dispatcher) from the features it composes; there is no global list.
"""

from __future__ import annotations

from collections.abc import Iterable

from flows.engine import Flow


class FlowDefinitionError(ValueError):
    """A flow declaration that cannot work."""


class FlowRegistry:
    def __init__(self, flows: Iterable[Flow] = ()) -> None:
        self.by_name: dict[str, Flow] = {}
        self.by_trigger: dict[str, Flow] = {}
        for flow in flows:
            self.add(flow)

    def add(self, flow: Flow) -> Flow:
        validate(flow)
        if flow.name in self.by_name and self.by_name[flow.name] is not flow:
            raise FlowDefinitionError(f"two flows named {flow.name!r}")
        for trigger in flow.triggers:
            owner = self.by_trigger.get(trigger)
            if owner is not None and owner is not flow:
                raise FlowDefinitionError(f"trigger {trigger!r} is used by {owner.name!r} and {flow.name!r}")
        self.by_name[flow.name] = flow
        for trigger in flow.triggers:
            self.by_trigger[trigger] = flow
        return flow

    def get(self, name: str) -> Flow | None:
        return self.by_name.get(name)

    def __iter__(self):
        return iter(self.by_name.values())


def validate(flow: Flow) -> None:
    names = [s.name for s in flow.steps]
    if len(set(names)) != len(names):
        raise FlowDefinitionError(f"{flow.name}: step names repeat: {names}")
    if any(n.startswith("__") for n in names):
        raise FlowDefinitionError(f"{flow.name}: step names may not start with '__'")
    if not flow.title or not flow.triggers:
        raise FlowDefinitionError(f"{flow.name}: a flow needs a title and at least one trigger")
    if flow.version < 1:
        raise FlowDefinitionError(f"{flow.name}: version must be 1 or more")
    for step in flow.steps:
        if not step.label or (isinstance(step.ask, str) and not step.ask.strip()):
            raise FlowDefinitionError(f"{flow.name}.{step.name}: empty label or question")
        if step.default is not None and step.optional:
            raise FlowDefinitionError(f"{flow.name}.{step.name}: a default makes 'optional' meaningless")
