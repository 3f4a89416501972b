import { agentRunTrace, type AgentRun, type GuardrailEvaluation, type LlmCall, type ToolExecution } from '@flowtrace/instrumentation';
import { MODELS, type AgentSpec, type RecipeSpec } from '../catalog.js';
import type { Emission } from '../emission.js';
import { Weighted, type Random } from '../random.js';
import { HOUR, MINUTE, type User, type World } from '../world.js';
import { jobId, recipeJob } from './jobs.js';

const CAPTURE = { captureContent: true };
/** A run longer than this is stopped: TIMEOUT. */
const RUN_LIMIT_MS = 120_000;

type Scenario = 'ok' | 'skill' | 'skill_failed' | 'blocked_input' | 'blocked_output' | 'llm_failed' | 'timeout' | 'cancelled' | 'task';

/**
 * Agent (genie) runs, in conversations of a few runs each: guardrails on the
 * user's message, LLM calls (USER_QUERY, MID_EXECUTION after each tool,
 * AGENT_RESPONSE) whose latency and tokens depend on the model, knowledge-base
 * searches and recipe skills (each skill call a recipe job of its own, linked
 * both ways), and runs assigned by a recipe (genie_task). Some are blocked by
 * a guardrail, some fail on an LLM call or a skill, run out of time or are
 * cancelled.
 */
export function* agentRuns(world: World): Generator<Emission> {
  const { settings, traffic, tenant } = world;
  const rnd = world.rnd.fork('agents');
  const agents = new Weighted(tenant.agents, (a) => a.weight);
  const users = new Weighted(world.users, (u) => u.weight);
  const exemplars: Scenario[] = ['skill_failed', 'skill', 'blocked_input', 'blocked_output', 'llm_failed', 'timeout', 'cancelled', 'ok', ...(tenant.recipes.taskSource ? (['task'] as const) : [])];
  for (const [i, scenario] of exemplars.entries()) {
    const r = rnd.fork('exemplar', i);
    const at = i === 0 ? traffic.window.end - 5 * MINUTE : traffic.recent(r.fork('time'), 12 * HOUR, 15 * MINUTE);
    const agent = agents.pick(r);
    const user = users.pick(r);
    yield* conversation(world, () => rnd.fork('exemplar', i, 'runs'), agent, user, at, [scenario], i === 0);
  }
  const n = Math.round(settings.scale * settings.days * tenant.mix.agentRuns);
  for (let runs = 0, c = 0; runs < n; c++) {
    const r = rnd.fork(c);
    const size = Math.min(n - runs, r.geometric(1.7));
    const scenarios = Array.from({ length: size }, (_, k) => drawScenario(r.fork('scenario', k), world));
    runs += size;
    const agent = agents.pick(r);
    const user = users.pick(r);
    yield* conversation(world, () => rnd.fork(c, 'runs'), agent, user, traffic.sample(r.fork('time')), scenarios);
  }
}

function drawScenario(r: Random, world: World): Scenario {
  return r.weighted<Scenario>([
    ['ok', 0.5],
    ['skill', 0.3],
    ['task', world.tenant.recipes.taskSource ? 0.1 : 0],
    ['skill_failed', 0.025],
    ['blocked_input', 0.025],
    ['blocked_output', 0.01],
    ['llm_failed', 0.02],
    ['timeout', 0.008],
    ['cancelled', 0.006],
  ]);
}

/**
 * A conversation: runs one after the other, the user answering a minute or
 * two after each reply, moved earlier as a whole when it would end after the
 * window (its runs drawn again from the same stream, so only their times change).
 */
function conversation(world: World, stream: () => Random, agent: AgentSpec, user: User, at: number, scenarios: Scenario[], featured = false): Emission[] {
  const make = (start: number) => {
    const r = stream();
    const conversationId = `conversation-${r.fork('id').alnum(26).toUpperCase()}`;
    const emissions: Emission[] = [];
    let t = start;
    let end = start;
    for (const [k, scenario] of scenarios.entries()) {
      const out = agentRun(world, r.fork(k), agent, user, conversationId, t, scenario, k === 0, featured && k === 0);
      emissions.push(...out.emissions);
      end = out.endedAt;
      t = out.endedAt + Math.round(r.lognormal(90_000, 0.7));
    }
    return { emissions, end };
  };
  const first = make(at);
  const overflow = first.end - (world.settings.window.end - MINUTE);
  return overflow > 0 ? make(Math.max(world.settings.window.start, at - overflow)).emissions : first.emissions;
}

function agentRun(world: World, r: Random, agent: AgentSpec, user: User, conversationId: string, at: number, scenario: Scenario, first: boolean, featured: boolean): { emissions: Emission[]; endedAt: number } {
  const ids = r.fork('id');
  const runId = ids.uuid();
  const model = r.weighted(agent.models);
  const profile = MODELS[model]!;
  const emissions: Emission[] = [];
  const llmCalls: LlmCall[] = [];
  const toolExecutions: ToolExecution[] = [];
  const guardrails: GuardrailEvaluation[] = [];
  const messages: NonNullable<AgentRun['messages']> = [];
  let status = 'SUCCESS';
  let t = at;
  const question = r.pick(agent.questions);
  messages.push({ at: t + 10, role: 'user', text: question });

  // A recipe that assigns the task to the genie: its job waits for the run.
  const task = scenario === 'task' ? world.tenant.recipes.taskSource : undefined;
  const taskJobId = task ? jobId(ids) : undefined;

  const llm = (stage: string, start: number, inputTokens: number, result = 'SUCCESS') => {
    const latency = result === 'TIMEOUT' ? 60_000 : Math.round(r.lognormal(profile.medianMs, profile.sigma));
    const call: LlmCall = { callId: ids.uuid(), stage, model, startedAt: start, endedAt: start + latency, inputTokens, outputTokens: result === 'SUCCESS' ? Math.round(r.lognormal(profile.outputTokens, 0.6)) : 0, result, prompt: { message: question }, completion: result === 'SUCCESS' ? { message: stage === 'AGENT_RESPONSE' ? 'Done: I have taken care of it.' : '' } : undefined };
    llmCalls.push(call);
    return call;
  };
  let context = Math.round(r.lognormal(2400, 0.35)) + (first ? 0 : r.int(400, 2500));

  // Input guardrails, evaluated in parallel on the user's message.
  const firstCallId = ids.uuid();
  const blockedInput = scenario === 'blocked_input' ? r.pick(['prompt_attack', 'harmful_content']) : undefined;
  let guardEnd = t;
  for (const policy of ['harmful_content', 'prompt_attack']) {
    const ms = r.lognormal(330, 0.25);
    guardrails.push({ at: t + 20 + Math.round(ms), policyType: policy, action: policy === blockedInput ? 'blocked' : 'passed', direction: 'input', executionTimeMs: Math.round(ms * 1000) / 1000, stepId: firstCallId, severity: policy === blockedInput ? 'HIGH' : null });
    guardEnd = Math.max(guardEnd, t + 20 + Math.round(ms));
  }
  t = guardEnd + 5;
  if (blockedInput) {
    status = 'FAILED';
    messages.push({ at: t + 5, role: 'system', text: "Sorry, I can't help with that request." });
    t += 10;
  } else {
    const firstCall = llm('USER_QUERY', t, context, scenario === 'llm_failed' ? r.pick(['TIMEOUT', 'RATE_LIMITED', 'CONTEXT_LENGTH_EXCEEDED']) : 'SUCCESS');
    firstCall.callId = firstCallId;
    t = Number(firstCall.endedAt);
    if (firstCall.result !== 'SUCCESS') status = 'FAILED';
    else if (scenario === 'cancelled') status = 'CANCELLED';
    else {
      const skills = scenario === 'skill' || scenario === 'skill_failed' || scenario === 'task' ? 1 : r.chance(0.2) ? 1 : 0;
      const searches = scenario === 'timeout' ? 3 : r.weighted([[0, 0.4], [1, 0.5], [2, 0.1]] as const);
      const tools: Array<'search' | 'skill'> = [...Array.from({ length: skills }, () => 'skill' as const), ...Array.from({ length: searches }, () => 'search' as const)];
      for (const [i, kind] of tools.entries()) {
        const callId = `tooluse_${ids.alnum(22)}`;
        const start = t + 15;
        if (kind === 'search') {
          const end = start + Math.round(scenario === 'timeout' ? r.lognormal(45_000, 0.15) : r.lognormal(800, 0.5));
          toolExecutions.push({ callId, name: 'enterprise_search', type: 'BUILTIN', startedAt: start, endedAt: end, result: 'SUCCESS', arguments: { query: question, knowledge_base_names: [agent.knowledgeBase] }, output: { knowledge_fragments: 2 }, externalToolIds: [world.stableId('knowledge-base', agent.knowledgeBase)] });
          t = end;
          context += r.int(600, 2200);
        } else {
          const skill = r.pick(agent.skills);
          const id = jobId(ids);
          const recipe: RecipeSpec = { id: skill.recipeId, name: skill.name, path: 'Home/Skills', trigger: ['workato_genie', 'start_skill'], lines: [[skillAdapter(skill.name), 'create_record'], ['workato_genie', 'skill_result']] };
          const job = recipeJob(world, r, {
            recipe,
            jobId: id,
            startedAt: start + 40,
            title: `Genie skill by Workato: ${skill.name}`,
            failure: scenario === 'skill_failed' ? { errorType: 'Bad data sent to API server', httpStatus: 400, message: 'Invalid ID value(s) for: AccountId', weight: 0 } : 'draw',
            root: taskJobId ? { jobId: taskJobId, recipeId: task!.id } : undefined,
            lineSeconds: 0.6,
          });
          emissions.push(job.emission);
          const end = job.endedAt + 60;
          messages.push({ at: start - 5, role: 'system', text: `I'll ${skill.name.toLowerCase()} for you right away!`, toolCallId: callId, toolName: skill.name });
          toolExecutions.push({ callId, name: skill.name, type: 'EXTERNAL', description: skill.description, startedAt: start, endedAt: end, result: job.failed ? 'ERROR' : 'SUCCESS', arguments: { name: user.id, description: question }, output: job.failed ? undefined : { message: '{"Confirmation":"Done"}' }, skillJobId: id, externalToolIds: [`recipe:${skill.recipeId}`] });
          t = end;
          // The agent tells the user the skill failed; sometimes it cannot recover.
          if (job.failed && (scenario === 'skill_failed' || r.chance(0.3))) status = 'ERROR';
        }
        if (i < tools.length - 1) t = Number(llm('MID_EXECUTION', t + 10, (context += r.int(200, 900))).endedAt);
        if (t - at > RUN_LIMIT_MS) break;
      }
      if (t - at > RUN_LIMIT_MS) status = 'TIMEOUT';
      else {
        const final = llm('AGENT_RESPONSE', t + 10, context + r.int(200, 900));
        t = Number(final.endedAt);
        const blockedOutput = scenario === 'blocked_output';
        const ms = r.lognormal(280, 0.25);
        guardrails.push({ at: t + Math.round(ms), policyType: 'pii', action: blockedOutput ? 'blocked' : 'passed', direction: 'output', executionTimeMs: Math.round(ms * 1000) / 1000, stepId: final.callId, severity: blockedOutput ? 'MEDIUM' : null });
        t += Math.round(ms) + 5;
        if (blockedOutput) status = 'FAILED';
        if (status === 'SUCCESS' && toolExecutions.length === 0) messages.push({ at: t, role: 'system', text: 'Here is what I found.' });
      }
    }
  }
  const endedAt = t + 20;
  let executor: AgentRun['executor'];
  if (task && taskJobId) {
    // The assigning job started a moment before the run and waits for it.
    const job = recipeJob(world, r, { recipe: task, jobId: taskJobId, startedAt: at - 1500, title: `New ticket in Zendesk: #${r.int(20_000, 40_000)}`, waitMs: endedAt - at + 1500, failure: status === 'SUCCESS' ? undefined : { errorType: 'Server error', message: `Genie run ended ${status}`, weight: 0 } });
    emissions.unshift(job.emission);
    executor = { type: 'genie_task_source_recipe', jobId: taskJobId, relatedId: task.id };
  }
  const run: AgentRun = {
    runId,
    agentId: agent.id,
    agentName: agent.name,
    conversationId,
    userId: user.id,
    appType: task ? 'genie_task' : r.weighted([['slack', 0.7], ['teams', 0.3]] as const),
    trigger: task ? 'genie_task' : 'user',
    requestId: `00-${ids.hex(32)}-${ids.hex(16)}-01`,
    startedAt: at,
    endedAt,
    status,
    testRun: r.chance(0.02),
    firstRunInConversation: first,
    executor,
    topic: { at: at + Math.round((endedAt - at) * 0.6), topic: r.pick(agent.topics) },
    messages,
    llmCalls,
    toolExecutions,
    guardrails,
    structuredOutput: task && status === 'SUCCESS' ? { startedAt: endedAt - 600, endedAt: endedAt - 80, schema: '{"type":"object","properties":{"Category":{"type":"string"},"Priority":{"type":"string"}},"required":["Category","Priority"]}', output: { Category: 'Hardware', Priority: 'Medium' } } : undefined,
  };
  emissions.unshift({ family: 'agent_run', spec: agentRunTrace(run, CAPTURE), status, featured });
  return { emissions, endedAt };
}

function skillAdapter(skill: string): string {
  if (/ticket/i.test(skill)) return 'zendesk';
  if (/opportunit/i.test(skill)) return 'salesforce';
  if (/password/i.test(skill)) return 'okta';
  return 'workday';
}
