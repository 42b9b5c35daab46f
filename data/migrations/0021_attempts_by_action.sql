-- Wrong binding codes are also limited across everyone per minute: count them by action and time.
CREATE INDEX attempts_action_at ON attempts (action, at);
