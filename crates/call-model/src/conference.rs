//! Local conferences (drop-semantics §5): a parent handle over participant calls, each its own
//! SIP dialog. Dropping the parent cascades a BYE to every participant in one pass
//! (`LINEADDRCAPFLAGS_CONFDROP`); one participant left collapses the conference.
use std::net::{Ipv4Addr, SocketAddr};

use crate::call::{Call, ConfRole};
use crate::model::CallModel;
use crate::{
    CallError, CallHandle, CallRecord, CallState, ConnectedMode, Direction, DropParams, Mode,
    RequestId, Time, Transport,
};

const ACTIVE: Option<Mode> = Some(Mode::Connected(ConnectedMode::Active));

impl CallModel {
    /// Starts a local conference with `call` (connected) as its first participant; returns
    /// the conference handle (state `connected`); the call becomes `conferenced`.
    pub fn setup_conference(
        &mut self,
        now: Time,
        call: CallHandle,
    ) -> Result<CallHandle, CallError> {
        self.check_joinable(call)?;
        let parent = self.alloc_handle();
        let record = CallRecord::new(Direction::Conference, now, String::new(), String::new());
        let mut conf = Call::new(
            parent,
            record,
            Transport::Udp,
            SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
        );
        conf.conf = Some(ConfRole::Parent {
            participants: Vec::new(),
        });
        conf.record.connected_at = Some(now);
        self.calls.insert(parent, conf);
        self.set_state(now, parent, CallState::Connected, ACTIVE);
        self.join(now, parent, call);
        Ok(parent)
    }

    /// Adds a connected call to conference `conference`.
    pub fn add_to_conference(
        &mut self,
        now: Time,
        conference: CallHandle,
        call: CallHandle,
    ) -> Result<(), CallError> {
        let parent = self
            .calls
            .get(&conference)
            .ok_or(CallError::InvalCallHandle)?;
        if !parent.is_conference_parent() || parent.record.state == CallState::Idle {
            return Err(CallError::InvalCallState);
        }
        self.check_joinable(call)?;
        self.join(now, conference, call);
        Ok(())
    }

    /// Takes a participant out of its conference: it is `connected` again. With one
    /// participant left the conference collapses.
    pub fn remove_from_conference(&mut self, now: Time, call: CallHandle) -> Result<(), CallError> {
        let c = self.calls.get(&call).ok_or(CallError::InvalCallHandle)?;
        if !matches!(c.conf, Some(ConfRole::Participant { .. }))
            || c.record.state != CallState::Conferenced
        {
            return Err(CallError::InvalCallState);
        }
        self.left_conference(now, call);
        self.set_state(now, call, CallState::Connected, ACTIVE);
        Ok(())
    }

    /// The participants of a conference, in the order they joined.
    pub fn conference_participants(&self, conference: CallHandle) -> Vec<CallHandle> {
        match self.calls.get(&conference).and_then(|c| c.conf.as_ref()) {
            Some(ConfRole::Parent { participants }) => participants.clone(),
            _ => Vec::new(),
        }
    }

    fn check_joinable(&self, call: CallHandle) -> Result<(), CallError> {
        let c = self.calls.get(&call).ok_or(CallError::InvalCallHandle)?;
        if c.record.state != CallState::Connected || c.conf.is_some() || c.bridge.is_some() {
            return Err(CallError::InvalCallState);
        }
        Ok(())
    }

    fn join(&mut self, now: Time, parent: CallHandle, call: CallHandle) {
        if let Some(Some(ConfRole::Parent { participants })) =
            self.calls.get_mut(&parent).map(|p| &mut p.conf)
        {
            participants.push(call);
        }
        if let Some(c) = self.calls.get_mut(&call) {
            c.conf = Some(ConfRole::Participant { parent });
        }
        self.set_state(now, call, CallState::Conferenced, None);
    }

    /// Drops the conference: a BYE with the same Reason/UUI on every participant, all in one
    /// pass, an `idle` event for each participant and then for the parent.
    pub(crate) fn drop_conference(
        &mut self,
        now: Time,
        parent: CallHandle,
        params: &DropParams,
    ) -> RequestId {
        let request = self.alloc_request();
        let participants = self.conference_participants(parent);
        for call in participants {
            if let Some(c) = self.calls.get_mut(&call) {
                c.conf = None;
            }
            let live = self
                .calls
                .get(&call)
                .is_some_and(|c| c.record.state != CallState::Idle);
            if live {
                self.drop_leg(now, call, params, None);
            }
        }
        if let Some(c) = self.calls.get_mut(&parent) {
            c.conf = Some(ConfRole::Parent {
                participants: Vec::new(),
            });
            c.record.ended_by = Some(crate::EndedBy::Local);
        }
        self.set_state(now, parent, CallState::Idle, None);
        self.reply(request, Ok(()));
        request
    }

    /// `call` leaves its conference (dropped, disconnected or removed); one participant left
    /// collapses the conference: the parent goes idle, the survivor back to `connected`.
    pub(crate) fn left_conference(&mut self, now: Time, call: CallHandle) {
        let Some(Some(ConfRole::Participant { parent })) =
            self.calls.get(&call).map(|c| c.conf.clone())
        else {
            return;
        };
        if let Some(c) = self.calls.get_mut(&call) {
            c.conf = None;
        }
        let remaining = match self.calls.get_mut(&parent).map(|p| &mut p.conf) {
            Some(Some(ConfRole::Parent { participants })) => {
                participants.retain(|p| *p != call);
                participants.clone()
            }
            _ => return,
        };
        if remaining.len() <= 1 {
            for survivor in remaining {
                if let Some(c) = self.calls.get_mut(&survivor) {
                    c.conf = None;
                }
                if self
                    .calls
                    .get(&survivor)
                    .is_some_and(|c| c.record.state == CallState::Conferenced)
                {
                    self.set_state(now, survivor, CallState::Connected, ACTIVE);
                }
            }
            if let Some(c) = self.calls.get_mut(&parent) {
                c.conf = Some(ConfRole::Parent {
                    participants: Vec::new(),
                });
            }
            self.set_state(now, parent, CallState::Idle, None);
        }
    }
}
