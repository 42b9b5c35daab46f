"""All flows by name and by trigger word, checked when they are registered."""

from __future__ import annotations

from flows.engine import Flow

FLOWS: dict[str, Flow] = {}
TRIGGERS: dict[str, Flow] = {}


class FlowDefinitionError(ValueError):
    """A flow declaration that cannot work."""


def register(flow: Flow) -> Flow:
    validate(flow)
    if flow.name in FLOWS and FLOWS[flow.name] is not flow:
        raise FlowDefinitionError(f"two flows named {flow.name!r}")
    for trigger in flow.triggers:
        owner = TRIGGERS.get(trigger)
        if owner is not None and owner is not flow:
            raise FlowDefinitionError(f"trigger {trigger!r} is used by {owner.name!r} and {flow.name!r}")
    FLOWS[flow.name] = flow
    for trigger in flow.triggers:
        TRIGGERS[trigger] = flow
    return flow


def validate(flow: Flow) -> None:
    names = [s.name for s in flow.steps]
    if len(set(names)) != len(names):
        raise FlowDefinitionError(f"{flow.name}: step names repeat: {names}")
    if any(n.startswith("__") for n in names):
        raise FlowDefinitionError(f"{flow.name}: step names may not start with '__'")
    if not flow.title or not flow.triggers:
        raise FlowDefinitionError(f"{flow.name}: a flow needs a title and at least one trigger")
    for step in flow.steps:
        if not step.label or (isinstance(step.ask, str) and not step.ask.strip()):
            raise FlowDefinitionError(f"{flow.name}.{step.name}: empty label or question")
        if step.default is not None and step.optional:
            raise FlowDefinitionError(f"{flow.name}.{step.name}: a default makes 'optional' meaningless")


def get(name: str) -> Flow:
    return FLOWS[name]
