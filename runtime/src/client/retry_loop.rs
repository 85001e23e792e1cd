//! The retry loop of a call: runs attempts until one ends the call, refreshing a rejected
//! access token once and retrying what the retry policy allows. Each step is its own function:
//! judging an attempt, refreshing the token, and deciding (and waiting) before a retry.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use super::attempt::{AttemptFailure, Progress, RawResponse};
use super::{Client, PreparedRequest};
use crate::auth::Grant;
use crate::auth_error::AuthError;
use crate::body::BuiltBody;
use crate::body::RequestBody;
use crate::error::Error;
use crate::retry::{Outcome, RetryDecision, StopReason, parse_retry_after, random_jitter};
use crate::usage::BudgetSpent;
use crate::zoho;

/// What one attempt means for the call.
enum Verdict<E: std::error::Error> {
    /// The call ends with this.
    Final(Result<RawResponse, Error<E>>),
    /// The server rejected the access token: refresh it once and try again (if it cannot be
    /// refreshed, this answer ends the call).
    TokenRejected(RawResponse),
    /// A failure the retry policy weighs: what happened, and what the call ends with unless it
    /// is retried.
    Failed(Outcome, Result<RawResponse, Error<E>>),
}

impl Client {
    /// Runs attempts until one ends the call. `sent_whole` is set once an attempt has handed
    /// over its whole request, for the total timeout's error to say so.
    pub(super) async fn run_attempts<E: std::error::Error>(
        &self,
        request: &PreparedRequest,
        first_body: Option<BuiltBody>,
        sent_whole: &AtomicBool,
        stream_statuses: &[u16],
    ) -> Result<RawResponse, Error<E>> {
        let replayable = request.body.as_ref().is_none_or(RequestBody::is_replayable);
        let mut body = first_body;
        let mut grant = self.inner.provider.token().await?;
        let mut refreshed = false;
        let mut attempt = 1u32;
        // What the last failed attempt was, once one was retried.
        let mut retried: Option<Outcome> = None;
        loop {
            // Every attempt is a call and costs credits; none starts past the budget.
            let first = attempt == 1 && !refreshed;
            self.inner
                .meter
                .start_attempt(request.credits, !first)
                .map_err(|spent| {
                    Error::Budget(BudgetSpent {
                        may_have_been_processed: retried
                            .is_some_and(Outcome::may_have_been_processed),
                        ..spent
                    })
                })?;
            let progress = Arc::new(Progress::new(body.is_some()));
            let result = self
                .attempt(
                    request,
                    body.take(),
                    &grant,
                    attempt,
                    &progress,
                    stream_statuses,
                )
                .await;
            self.inner
                .meter
                .sent(progress.bytes_sent.load(Ordering::Relaxed));
            if let Ok(response) = &result {
                self.inner.meter.received(response.body.len() as u64);
            }
            let complete = progress.body_complete.load(Ordering::Relaxed);
            if complete {
                sent_whole.store(true, Ordering::Relaxed);
            }
            let may_refresh = !refreshed && replayable;
            let (outcome, failure) = match self.judge(result, attempt, complete, may_refresh) {
                Verdict::Final(result) => return result,
                Verdict::TokenRejected(response) => {
                    let Some(fresh) = self.refresh_rejected(&grant).await? else {
                        return Ok(response);
                    };
                    grant = fresh;
                    refreshed = true;
                    body = rebuild(request).await?;
                    continue;
                }
                Verdict::Failed(outcome, failure) => (outcome, failure),
            };
            if !self
                .wait_to_retry(request, replayable, attempt, outcome)
                .await
            {
                return failure;
            }
            retried = Some(outcome);
            body = rebuild(request).await?;
            attempt += 1;
        }
    }

    /// What attempt number `attempt` means for the call; `complete`: its whole body was handed
    /// over; `may_refresh`: a rejected token may still be refreshed.
    fn judge<E: std::error::Error>(
        &self,
        result: Result<RawResponse, AttemptFailure>,
        attempt: u32,
        complete: bool,
        may_refresh: bool,
    ) -> Verdict<E> {
        match result {
            Ok(response) => self.judge_answer(response, may_refresh),
            Err(failure) => self.judge_failure(failure, attempt, complete),
        }
    }

    /// An answer: a rejected token, a throttling or server error to weigh (telling the
    /// throttling listener), or the call's result.
    fn judge_answer<E: std::error::Error>(
        &self,
        response: RawResponse,
        may_refresh: bool,
    ) -> Verdict<E> {
        if response.status == 401
            && may_refresh
            && zoho::error_code(&response.body)
                .is_some_and(|code| self.inner.profile.refresh_on.contains(&code.as_str()))
        {
            return Verdict::TokenRejected(response);
        }
        match response.status {
            429 => {
                self.inner.meter.throttled();
                self.inner.limiter.throttled();
                if let Some(listener) = &self.inner.on_throttled {
                    listener();
                }
                let retry_after = response
                    .headers
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, SystemTime::now()));
                Verdict::Failed(Outcome::Throttled { retry_after }, Ok(response))
            }
            status @ 500..=599 => Verdict::Failed(Outcome::ServerError(status), Ok(response)),
            status => {
                if (200..300).contains(&status) {
                    self.inner.limiter.succeeded();
                }
                Verdict::Final(Ok(response))
            }
        }
    }

    /// An attempt that got no usable answer, as the error the call ends with.
    fn judge_failure<E: std::error::Error>(
        &self,
        failure: AttemptFailure,
        attempt: u32,
        complete: bool,
    ) -> Verdict<E> {
        let timeouts = &self.inner.timeouts;
        let (outcome, message) = match failure {
            AttemptFailure::Transport(e) => {
                let outcome = transport_outcome(&e, complete);
                let may = outcome.may_have_been_processed();
                return Verdict::Failed(outcome, Err(Error::from_reqwest(e, may)));
            }
            AttemptFailure::Unsendable(message) => {
                return Verdict::Final(Err(Error::Transport {
                    message: message.to_owned(),
                    may_have_been_processed: false,
                    source: None,
                }));
            }
            AttemptFailure::Redirected(redirect) => {
                tracing::warn!(
                    status = redirect.status,
                    location = %redirect.location,
                    "redirect not followed"
                );
                return Verdict::Final(Err(Error::Redirect(redirect)));
            }
            AttemptFailure::SendingTooSlow(moved) => {
                let rule = timeouts.low_speed;
                (
                    Outcome::LostBeforeBodySent,
                    format!(
                        "attempt {attempt} sent only {moved} bytes of the request in {:?}, under the minimum of {} bytes per second (the low-speed rule): the server is not reading it, so it cannot have processed it",
                        rule.window(),
                        rule.bytes_per_second
                    ),
                )
            }
            AttemptFailure::NoAnswer => (
                Outcome::TimedOutAfterSend,
                format!(
                    "attempt {attempt} got no complete answer within {:?} of sending the request (the response timeout)",
                    timeouts.response
                ),
            ),
            AttemptFailure::TimedOut => {
                let outcome = if complete {
                    Outcome::TimedOutAfterSend
                } else {
                    Outcome::LostBeforeBodySent
                };
                let limit = timeouts.attempt.unwrap_or_default();
                (
                    outcome,
                    format!("attempt {attempt} took longer than {limit:?}"),
                )
            }
        };
        let timeout = Error::Timeout {
            message,
            may_have_been_processed: outcome.may_have_been_processed(),
            source: None,
        };
        Verdict::Failed(outcome, Err(timeout))
    }

    /// Trades an access token the server rejected for a fresh one: `None` for a provider that
    /// cannot refresh (a fixed token), whose rejection is then the most useful answer.
    async fn refresh_rejected<E: std::error::Error>(
        &self,
        rejected: &Grant,
    ) -> Result<Option<Grant>, Error<E>> {
        tracing::debug!("access token rejected; refreshing once and retrying");
        match self
            .inner
            .provider
            .refresh_after_rejection(&rejected.token)
            .await
        {
            Ok(grant) => Ok(Some(grant)),
            Err(AuthError::CannotRefresh) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Asks the retry policy whether to try again after `outcome` (a body that cannot be
    /// replayed is never retried) and, if so, waits out its backoff. Returns whether to retry.
    async fn wait_to_retry(
        &self,
        request: &PreparedRequest,
        replayable: bool,
        attempt: u32,
        outcome: Outcome,
    ) -> bool {
        let decision = if replayable {
            self.inner
                .retry
                .decide(attempt, outcome, request.idempotent, random_jitter())
        } else {
            RetryDecision::Stop(StopReason::OutOfAttempts)
        };
        match decision {
            RetryDecision::RetryAfter(wait) => {
                tracing::info!(attempt, ?outcome, ?wait, "retrying");
                tokio::time::sleep(wait).await;
                true
            }
            RetryDecision::Stop(reason) => {
                tracing::debug!(attempt, ?outcome, ?reason, "not retrying");
                false
            }
        }
    }
}

/// What a transport failure means: whether the server may have the request depends on how far
/// its body got (`complete`) and on the kind of failure.
fn transport_outcome(error: &reqwest::Error, complete: bool) -> Outcome {
    if error.is_connect() {
        Outcome::ConnectFailed
    } else if !complete {
        Outcome::LostBeforeBodySent
    } else if error.is_timeout() {
        Outcome::TimedOutAfterSend
    } else {
        Outcome::LostAfterSend
    }
}

/// The request's body built afresh for another attempt (a file is re-read, not held).
async fn rebuild<E: std::error::Error>(
    request: &PreparedRequest,
) -> Result<Option<BuiltBody>, Error<E>> {
    match &request.body {
        Some(body) => Ok(Some(body.build().await?)),
        None => Ok(None),
    }
}
