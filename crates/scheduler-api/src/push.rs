//! The push channel: `GET /v1/workers/events` (bearer) is a server-sent-events stream; each
//! event's `data` is one [`PushMessage`] as JSON, its `event` field the message's `type`.

use poco_primitives::TaskId;
use serde::{Deserialize, Serialize};

use crate::report::NextAction;

/// One message to one worker about one of its tasks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushMessage {
    /// The task.
    pub task_id: TaskId,
    /// What to do: `REVEAL`, `UPLOAD`, `ABORT` or `COMPLETE`.
    #[serde(flatten)]
    pub action: NextAction,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::states::AbortCause;

    #[test]
    fn a_push_message_is_flat_json() {
        let message = PushMessage {
            task_id: TaskId::repeat_byte(1),
            action: NextAction::Abort { cause: AbortCause::TaskCompleted },
        };
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(json["action"], "ABORT");
        assert_eq!(json["cause"], "TASK_COMPLETED");
        assert_eq!(serde_json::from_value::<PushMessage>(json).unwrap(), message);
    }
}
