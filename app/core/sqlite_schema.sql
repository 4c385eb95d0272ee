-- The whole schema for a new SQLite file, at migration 0019
CREATE TABLE repository (
	id INTEGER NOT NULL,
	name VARCHAR(200) NOT NULL,
	path VARCHAR(1000),
	github_id BIGINT,
	default_branch VARCHAR(200),
	html_url VARCHAR(500),
	CONSTRAINT pk_repository PRIMARY KEY (id),
	CONSTRAINT uq_repository_name UNIQUE (name)
)
;
CREATE INDEX ix_repository_github_id ON repository (github_id)
;
CREATE TABLE person (
	id INTEGER NOT NULL,
	login VARCHAR(100) NOT NULL,
	name VARCHAR(200),
	email VARCHAR(320),
	is_bot BOOLEAN NOT NULL,
	digest_opt_in BOOLEAN NOT NULL,
	unsubscribe_token VARCHAR(64),
	digest_unsubscribed BOOLEAN NOT NULL,
	slack_user_id VARCHAR(20),
	slack_checked_at DATETIME,
	nudge_hours VARCHAR(11),
	github_id BIGINT,
	CONSTRAINT pk_person PRIMARY KEY (id),
	CONSTRAINT uq_person_unsubscribe_token UNIQUE (unsubscribe_token),
	CONSTRAINT uq_person_github_id UNIQUE (github_id)
)
;
CREATE UNIQUE INDEX ix_person_login ON person (login)
;
CREATE TABLE sign_in_link_use (
	nonce_hash VARCHAR(64) NOT NULL,
	used_at DATETIME NOT NULL,
	CONSTRAINT pk_sign_in_link_use PRIMARY KEY (nonce_hash)
)
;
CREATE TABLE synccursor (
	id INTEGER NOT NULL,
	source VARCHAR(30) NOT NULL,
	repository VARCHAR(200) NOT NULL,
	position VARCHAR(4000) NOT NULL,
	updated_at DATETIME NOT NULL,
	locked_by VARCHAR(200),
	locked_until DATETIME,
	CONSTRAINT pk_synccursor PRIMARY KEY (id),
	CONSTRAINT uq_synccursor_source_repository UNIQUE (source, repository)
)
;
CREATE TABLE githubbudget (
	id INTEGER NOT NULL,
	"key" VARCHAR(200) NOT NULL,
	remaining INTEGER NOT NULL,
	quota INTEGER NOT NULL,
	reset_epoch INTEGER NOT NULL,
	paused_until FLOAT NOT NULL,
	updated_at DATETIME NOT NULL,
	CONSTRAINT pk_githubbudget PRIMARY KEY (id),
	CONSTRAINT uq_githubbudget_key UNIQUE ("key")
)
;
CREATE TABLE workflow (
	id BIGINT NOT NULL,
	repository_id INTEGER NOT NULL,
	name VARCHAR(300) NOT NULL,
	path VARCHAR(500) NOT NULL,
	state VARCHAR(50),
	CONSTRAINT pk_workflow PRIMARY KEY (id),
	CONSTRAINT fk_workflow_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id)
)
;
CREATE INDEX ix_workflow_repository_id ON workflow (repository_id)
;
CREATE TABLE workflowrun (
	id BIGINT NOT NULL,
	repository_id INTEGER NOT NULL,
	workflow_id BIGINT,
	name VARCHAR(300) NOT NULL,
	head_sha VARCHAR(40) NOT NULL,
	head_branch VARCHAR(300),
	event VARCHAR(50),
	actor_login VARCHAR(100),
	triggering_actor_login VARCHAR(100),
	status VARCHAR(30),
	conclusion VARCHAR(30),
	run_attempt INTEGER NOT NULL,
	run_number INTEGER,
	created_at DATETIME NOT NULL,
	run_started_at DATETIME,
	updated_at DATETIME,
	html_url VARCHAR(500),
	pull_numbers JSON NOT NULL,
	CONSTRAINT pk_workflowrun PRIMARY KEY (id),
	CONSTRAINT fk_workflowrun_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id)
)
;
CREATE INDEX ix_workflowrun_actor_login ON workflowrun (actor_login)
;
CREATE INDEX ix_workflowrun_created_at ON workflowrun (created_at)
;
CREATE INDEX ix_workflowrun_head_branch ON workflowrun (head_branch)
;
CREATE INDEX ix_workflowrun_head_sha ON workflowrun (head_sha)
;
CREATE INDEX ix_workflowrun_repository_id ON workflowrun (repository_id)
;
CREATE INDEX ix_workflowrun_workflow_id ON workflowrun (workflow_id)
;
CREATE TABLE checkrun (
	id BIGINT NOT NULL,
	repository_id INTEGER NOT NULL,
	head_sha VARCHAR(40) NOT NULL,
	name VARCHAR(300) NOT NULL,
	app_slug VARCHAR(100),
	status VARCHAR(30),
	conclusion VARCHAR(30),
	started_at DATETIME,
	completed_at DATETIME,
	html_url VARCHAR(500),
	CONSTRAINT pk_checkrun PRIMARY KEY (id),
	CONSTRAINT fk_checkrun_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id)
)
;
CREATE INDEX ix_checkrun_head_sha ON checkrun (head_sha)
;
CREATE INDEX ix_checkrun_repository_id ON checkrun (repository_id)
;
CREATE TABLE deployment (
	id INTEGER NOT NULL,
	repository_id INTEGER NOT NULL,
	"key" VARCHAR(300) NOT NULL,
	source VARCHAR(20) NOT NULL,
	environment VARCHAR(300) NOT NULL,
	sha VARCHAR(40) NOT NULL,
	deployed_at DATETIME NOT NULL,
	created_at DATETIME NOT NULL,
	html_url VARCHAR(500),
	CONSTRAINT pk_deployment PRIMARY KEY (id),
	CONSTRAINT uq_deployment_repository_id_key UNIQUE (repository_id, "key"),
	CONSTRAINT fk_deployment_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id)
)
;
CREATE INDEX ix_deployment_deployed_at ON deployment (deployed_at)
;
CREATE INDEX ix_deployment_repository_id ON deployment (repository_id)
;
CREATE TABLE deliveryfailure (
	id INTEGER NOT NULL,
	repository_id INTEGER NOT NULL,
	kind VARCHAR(20) NOT NULL,
	ref VARCHAR(300) NOT NULL,
	number INTEGER,
	title VARCHAR(1000) NOT NULL,
	html_url VARCHAR(500),
	started_at DATETIME NOT NULL,
	restored_at DATETIME,
	deployment_key VARCHAR(300),
	reverted_number INTEGER,
	CONSTRAINT pk_deliveryfailure PRIMARY KEY (id),
	CONSTRAINT uq_deliveryfailure_repository_id_ref UNIQUE (repository_id, ref),
	CONSTRAINT fk_deliveryfailure_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id)
)
;
CREATE INDEX ix_deliveryfailure_repository_id ON deliveryfailure (repository_id)
;
CREATE TABLE "commit" (
	id INTEGER NOT NULL,
	repository_id INTEGER NOT NULL,
	sha VARCHAR(40) NOT NULL,
	author_name VARCHAR(300) NOT NULL,
	author_email VARCHAR(320) NOT NULL,
	authored_at DATETIME NOT NULL,
	committed_at DATETIME NOT NULL,
	is_merge BOOLEAN NOT NULL,
	is_bot BOOLEAN NOT NULL,
	summary VARCHAR(300) NOT NULL,
	CONSTRAINT pk_commit PRIMARY KEY (id),
	CONSTRAINT uq_commit_repository_id_sha UNIQUE (repository_id, sha),
	CONSTRAINT fk_commit_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id)
)
;
CREATE INDEX ix_commit_author_email ON "commit" (author_email)
;
CREATE INDEX ix_commit_authored_at ON "commit" (authored_at)
;
CREATE INDEX ix_commit_repository_id ON "commit" (repository_id)
;
CREATE TABLE repofile (
	repository_id INTEGER NOT NULL,
	path VARCHAR(2000) NOT NULL,
	loc INTEGER NOT NULL,
	is_binary BOOLEAN NOT NULL,
	size_bytes BIGINT DEFAULT '0' NOT NULL,
	CONSTRAINT pk_repofile PRIMARY KEY (repository_id, path),
	CONSTRAINT fk_repofile_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id)
)
;
CREATE TABLE nudgedelivery (
	id INTEGER NOT NULL,
	kind VARCHAR(30) NOT NULL,
	recipient VARCHAR(100) NOT NULL,
	person_id INTEGER,
	item VARCHAR(100) NOT NULL,
	stretch VARCHAR(40) NOT NULL,
	day VARCHAR(10) NOT NULL,
	status VARCHAR(10) NOT NULL,
	channel VARCHAR(80),
	ts VARCHAR(40),
	text VARCHAR(4000) NOT NULL,
	error VARCHAR(500),
	created_at DATETIME NOT NULL,
	sent_at DATETIME,
	CONSTRAINT pk_nudgedelivery PRIMARY KEY (id),
	CONSTRAINT uq_nudgedelivery_kind_recipient_item_stretch UNIQUE (kind, recipient, item, stretch),
	CONSTRAINT fk_nudgedelivery_person_id_person FOREIGN KEY(person_id) REFERENCES person (id)
)
;
CREATE INDEX ix_nudgedelivery_day ON nudgedelivery (day)
;
CREATE INDEX ix_nudgedelivery_person_id ON nudgedelivery (person_id)
;
CREATE TABLE nudgeoptout (
	person_id INTEGER NOT NULL,
	kind VARCHAR(30) NOT NULL,
	CONSTRAINT pk_nudgeoptout PRIMARY KEY (person_id, kind),
	CONSTRAINT fk_nudgeoptout_person_id_person FOREIGN KEY(person_id) REFERENCES person (id)
)
;
CREATE TABLE identity (
	id INTEGER NOT NULL,
	kind VARCHAR(20) NOT NULL,
	value VARCHAR(320) NOT NULL,
	person_id INTEGER,
	first_seen_at DATETIME,
	CONSTRAINT pk_identity PRIMARY KEY (id),
	CONSTRAINT uq_identity_kind_value UNIQUE (kind, value),
	CONSTRAINT fk_identity_person_id_person FOREIGN KEY(person_id) REFERENCES person (id)
)
;
CREATE INDEX ix_identity_person_id ON identity (person_id)
;
CREATE INDEX ix_identity_value ON identity (value)
;
CREATE TABLE team (
	id INTEGER NOT NULL,
	name VARCHAR(100) NOT NULL,
	manager_id INTEGER,
	timezone VARCHAR(64) NOT NULL,
	slack_channel VARCHAR(80),
	github_id BIGINT,
	CONSTRAINT pk_team PRIMARY KEY (id),
	CONSTRAINT uq_team_name UNIQUE (name),
	CONSTRAINT fk_team_manager_id_person FOREIGN KEY(manager_id) REFERENCES person (id),
	CONSTRAINT uq_team_github_id UNIQUE (github_id)
)
;
CREATE INDEX ix_team_manager_id ON team (manager_id)
;
CREATE TABLE apitoken (
	id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	token_hash VARCHAR(64) NOT NULL,
	label VARCHAR(100),
	is_admin BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	last_used_at DATETIME,
	revoked_at DATETIME,
	CONSTRAINT pk_apitoken PRIMARY KEY (id),
	CONSTRAINT fk_apitoken_person_id_person FOREIGN KEY(person_id) REFERENCES person (id),
	CONSTRAINT uq_apitoken_token_hash UNIQUE (token_hash)
)
;
CREATE INDEX ix_apitoken_person_id ON apitoken (person_id)
;
CREATE TABLE pageview (
	id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	viewer_id INTEGER NOT NULL,
	viewed_at DATETIME NOT NULL,
	what VARCHAR(50) NOT NULL,
	CONSTRAINT pk_pageview PRIMARY KEY (id),
	CONSTRAINT fk_pageview_person_id_person FOREIGN KEY(person_id) REFERENCES person (id),
	CONSTRAINT fk_pageview_viewer_id_person FOREIGN KEY(viewer_id) REFERENCES person (id)
)
;
CREATE INDEX ix_pageview_person_id ON pageview (person_id)
;
CREATE TABLE oneonone (
	id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	held_at DATETIME NOT NULL,
	marked_by_id INTEGER,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_oneonone PRIMARY KEY (id),
	CONSTRAINT uq_oneonone_person_id_held_at UNIQUE (person_id, held_at),
	CONSTRAINT fk_oneonone_person_id_person FOREIGN KEY(person_id) REFERENCES person (id),
	CONSTRAINT fk_oneonone_marked_by_id_person FOREIGN KEY(marked_by_id) REFERENCES person (id)
)
;
CREATE INDEX ix_oneonone_person_id ON oneonone (person_id)
;
CREATE TABLE oneononenote (
	id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	author_id INTEGER NOT NULL,
	shared BOOLEAN NOT NULL,
	body VARCHAR(5000) NOT NULL,
	created_at DATETIME NOT NULL,
	done BOOLEAN NOT NULL,
	CONSTRAINT pk_oneononenote PRIMARY KEY (id),
	CONSTRAINT fk_oneononenote_person_id_person FOREIGN KEY(person_id) REFERENCES person (id),
	CONSTRAINT fk_oneononenote_author_id_person FOREIGN KEY(author_id) REFERENCES person (id)
)
;
CREATE INDEX ix_oneononenote_person_id ON oneononenote (person_id)
;
CREATE TABLE pullrequest (
	id BIGINT NOT NULL,
	repository_id INTEGER NOT NULL,
	number INTEGER NOT NULL,
	title VARCHAR(1000) NOT NULL,
	html_url VARCHAR(500),
	author_login VARCHAR(100),
	author_is_bot BOOLEAN NOT NULL,
	state VARCHAR(10) NOT NULL,
	draft BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	closed_at DATETIME,
	merged_at DATETIME,
	ready_at DATETIME,
	first_commit_at DATETIME,
	additions INTEGER,
	deletions INTEGER,
	changed_files INTEGER,
	commits INTEGER,
	head_sha VARCHAR(40),
	merge_commit_sha VARCHAR(40),
	head_ref VARCHAR(300),
	base_ref VARCHAR(300),
	labels JSON NOT NULL,
	requested_reviewers JSON NOT NULL,
	CONSTRAINT pk_pullrequest PRIMARY KEY (id),
	CONSTRAINT uq_pullrequest_repository_id_number UNIQUE (repository_id, number),
	CONSTRAINT fk_pullrequest_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id)
)
;
CREATE INDEX ix_pullrequest_author_login ON pullrequest (author_login)
;
CREATE INDEX ix_pullrequest_created_at ON pullrequest (created_at)
;
CREATE INDEX ix_pullrequest_head_sha ON pullrequest (head_sha)
;
CREATE INDEX ix_pullrequest_merge_commit_sha ON pullrequest (merge_commit_sha)
;
CREATE INDEX ix_pullrequest_repository_id ON pullrequest (repository_id)
;
CREATE TABLE digestdelivery (
	id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	week VARCHAR(10) NOT NULL,
	status VARCHAR(20) NOT NULL,
	attempts INTEGER NOT NULL,
	last_error VARCHAR(2000),
	sent_at DATETIME,
	message_id VARCHAR(300),
	CONSTRAINT pk_digestdelivery PRIMARY KEY (id),
	CONSTRAINT uq_digestdelivery_person_id_week UNIQUE (person_id, week),
	CONSTRAINT fk_digestdelivery_person_id_person FOREIGN KEY(person_id) REFERENCES person (id)
)
;
CREATE INDEX ix_digestdelivery_person_id ON digestdelivery (person_id)
;
CREATE TABLE teamagreement (
	team_id INTEGER NOT NULL,
	name VARCHAR(40) NOT NULL,
	value JSON NOT NULL,
	set_by VARCHAR(100) NOT NULL,
	set_at DATETIME NOT NULL,
	CONSTRAINT pk_teamagreement PRIMARY KEY (team_id, name),
	CONSTRAINT fk_teamagreement_team_id_team FOREIGN KEY(team_id) REFERENCES team (id) ON DELETE CASCADE
)
;
CREATE TABLE agreementchange (
	id INTEGER NOT NULL,
	team_id INTEGER NOT NULL,
	name VARCHAR(40) NOT NULL,
	old_value JSON,
	new_value JSON,
	changed_by VARCHAR(100) NOT NULL,
	changed_at DATETIME NOT NULL,
	CONSTRAINT pk_agreementchange PRIMARY KEY (id),
	CONSTRAINT fk_agreementchange_team_id_team FOREIGN KEY(team_id) REFERENCES team (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_agreementchange_team_id ON agreementchange (team_id)
;
CREATE TABLE expectedexception (
	id INTEGER NOT NULL,
	team_id INTEGER NOT NULL,
	rule VARCHAR(40) NOT NULL,
	item VARCHAR(300) NOT NULL,
	reason VARCHAR(200) NOT NULL,
	marked_by VARCHAR(100) NOT NULL,
	marked_at DATETIME NOT NULL,
	CONSTRAINT pk_expectedexception PRIMARY KEY (id),
	CONSTRAINT uq_expectedexception_team_id_rule_item UNIQUE (team_id, rule, item),
	CONSTRAINT fk_expectedexception_team_id_team FOREIGN KEY(team_id) REFERENCES team (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_expectedexception_team_id ON expectedexception (team_id)
;
CREATE TABLE runattempt (
	run_id BIGINT NOT NULL,
	attempt INTEGER NOT NULL,
	status VARCHAR(30),
	conclusion VARCHAR(30),
	run_started_at DATETIME,
	updated_at DATETIME,
	triggering_actor_login VARCHAR(100),
	CONSTRAINT pk_runattempt PRIMARY KEY (run_id, attempt),
	CONSTRAINT fk_runattempt_run_id_workflowrun FOREIGN KEY(run_id) REFERENCES workflowrun (id) ON DELETE CASCADE
)
;
CREATE TABLE job (
	id BIGINT NOT NULL,
	run_id BIGINT NOT NULL,
	run_attempt INTEGER NOT NULL,
	name VARCHAR(300) NOT NULL,
	status VARCHAR(30),
	conclusion VARCHAR(30),
	created_at DATETIME,
	started_at DATETIME,
	completed_at DATETIME,
	runner_name VARCHAR(200),
	labels JSON NOT NULL,
	steps JSON NOT NULL,
	html_url VARCHAR(500),
	CONSTRAINT pk_job PRIMARY KEY (id),
	CONSTRAINT fk_job_run_id_workflowrun FOREIGN KEY(run_id) REFERENCES workflowrun (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_job_run_id ON job (run_id)
;
CREATE TABLE deployedcommit (
	deployment_id INTEGER NOT NULL,
	sha VARCHAR(40) NOT NULL,
	CONSTRAINT pk_deployedcommit PRIMARY KEY (deployment_id, sha),
	CONSTRAINT fk_deployedcommit_deployment_id_deployment FOREIGN KEY(deployment_id) REFERENCES deployment (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_deployedcommit_sha ON deployedcommit (sha)
;
CREATE TABLE deployedpull (
	pull_request_id BIGINT NOT NULL,
	deployment_id INTEGER NOT NULL,
	deployed_at DATETIME NOT NULL,
	CONSTRAINT pk_deployedpull PRIMARY KEY (pull_request_id),
	CONSTRAINT fk_deployedpull_pull_request_id_pullrequest FOREIGN KEY(pull_request_id) REFERENCES pullrequest (id) ON DELETE CASCADE,
	CONSTRAINT fk_deployedpull_deployment_id_deployment FOREIGN KEY(deployment_id) REFERENCES deployment (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_deployedpull_deployment_id ON deployedpull (deployment_id)
;
CREATE TABLE frictionflag (
	id INTEGER NOT NULL,
	public_id VARCHAR(13) NOT NULL,
	team_id INTEGER,
	category VARCHAR(30) NOT NULL,
	summary VARCHAR(200) NOT NULL,
	details VARCHAR(5000) NOT NULL,
	anonymous BOOLEAN NOT NULL,
	repo VARCHAR(200),
	pull_number INTEGER,
	path VARCHAR(2000),
	workflow VARCHAR(300),
	run_id BIGINT,
	created_at DATETIME NOT NULL,
	status VARCHAR(20) NOT NULL,
	answer VARCHAR(5000),
	answered_by_id INTEGER,
	answered_at DATETIME,
	follow_hash VARCHAR(64),
	CONSTRAINT pk_frictionflag PRIMARY KEY (id),
	CONSTRAINT uq_frictionflag_public_id UNIQUE (public_id),
	CONSTRAINT fk_frictionflag_team_id_team FOREIGN KEY(team_id) REFERENCES team (id),
	CONSTRAINT fk_frictionflag_answered_by_id_person FOREIGN KEY(answered_by_id) REFERENCES person (id)
)
;
CREATE INDEX ix_frictionflag_created_at ON frictionflag (created_at)
;
CREATE INDEX ix_frictionflag_follow_hash ON frictionflag (follow_hash)
;
CREATE INDEX ix_frictionflag_repo ON frictionflag (repo)
;
CREATE INDEX ix_frictionflag_team_id ON frictionflag (team_id)
;
CREATE TABLE filechange (
	id INTEGER NOT NULL,
	commit_id INTEGER NOT NULL,
	path VARCHAR(2000) NOT NULL,
	old_path VARCHAR(2000),
	added INTEGER NOT NULL,
	deleted INTEGER NOT NULL,
	is_binary BOOLEAN NOT NULL,
	CONSTRAINT pk_filechange PRIMARY KEY (id),
	CONSTRAINT fk_filechange_commit_id_commit FOREIGN KEY(commit_id) REFERENCES "commit" (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_filechange_commit_id ON filechange (commit_id)
;
CREATE INDEX ix_filechange_path ON filechange (path)
;
CREATE TABLE teammember (
	team_id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	CONSTRAINT pk_teammember PRIMARY KEY (team_id, person_id),
	CONSTRAINT fk_teammember_team_id_team FOREIGN KEY(team_id) REFERENCES team (id),
	CONSTRAINT fk_teammember_person_id_person FOREIGN KEY(person_id) REFERENCES person (id)
)
;
CREATE TABLE review (
	id BIGINT NOT NULL,
	pull_request_id BIGINT NOT NULL,
	reviewer_login VARCHAR(100),
	reviewer_is_bot BOOLEAN NOT NULL,
	state VARCHAR(30) NOT NULL,
	submitted_at DATETIME,
	commit_sha VARCHAR(40),
	CONSTRAINT pk_review PRIMARY KEY (id),
	CONSTRAINT fk_review_pull_request_id_pullrequest FOREIGN KEY(pull_request_id) REFERENCES pullrequest (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_review_pull_request_id ON review (pull_request_id)
;
CREATE INDEX ix_review_reviewer_login ON review (reviewer_login)
;
CREATE INDEX ix_review_submitted_at ON review (submitted_at)
;
CREATE TABLE reviewcomment (
	id BIGINT NOT NULL,
	pull_request_id BIGINT NOT NULL,
	review_id BIGINT,
	author_login VARCHAR(100),
	author_is_bot BOOLEAN NOT NULL,
	path VARCHAR(2000),
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_reviewcomment PRIMARY KEY (id),
	CONSTRAINT fk_reviewcomment_pull_request_id_pullrequest FOREIGN KEY(pull_request_id) REFERENCES pullrequest (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_reviewcomment_pull_request_id ON reviewcomment (pull_request_id)
;
CREATE TABLE pullrequestevent (
	id INTEGER NOT NULL,
	pull_request_id BIGINT NOT NULL,
	github_id BIGINT,
	event VARCHAR(50) NOT NULL,
	actor_login VARCHAR(100),
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_pullrequestevent PRIMARY KEY (id),
	CONSTRAINT fk_pullrequestevent_pull_request_id_pullrequest FOREIGN KEY(pull_request_id) REFERENCES pullrequest (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_pullrequestevent_pull_request_id ON pullrequestevent (pull_request_id)
;
CREATE TABLE web_session (
	id INTEGER NOT NULL,
	session_hash VARCHAR(64) NOT NULL,
	token_id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	ended_at DATETIME,
	CONSTRAINT pk_web_session PRIMARY KEY (id),
	CONSTRAINT uq_web_session_session_hash UNIQUE (session_hash),
	CONSTRAINT fk_web_session_token_id_apitoken FOREIGN KEY(token_id) REFERENCES apitoken (id)
)
;
CREATE INDEX ix_web_session_token_id ON web_session (token_id)
;
CREATE TABLE flaganswer (
	id INTEGER NOT NULL,
	flag_id INTEGER NOT NULL,
	author_id INTEGER,
	body VARCHAR(5000) NOT NULL,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_flaganswer PRIMARY KEY (id),
	CONSTRAINT fk_flaganswer_flag_id_frictionflag FOREIGN KEY(flag_id) REFERENCES frictionflag (id) ON DELETE CASCADE,
	CONSTRAINT fk_flaganswer_author_id_person FOREIGN KEY(author_id) REFERENCES person (id)
)
;
CREATE INDEX ix_flaganswer_flag_id ON flaganswer (flag_id)
;
CREATE TABLE flagauthor (
	flag_id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	CONSTRAINT pk_flagauthor PRIMARY KEY (flag_id),
	CONSTRAINT fk_flagauthor_flag_id_frictionflag FOREIGN KEY(flag_id) REFERENCES frictionflag (id) ON DELETE CASCADE,
	CONSTRAINT fk_flagauthor_person_id_person FOREIGN KEY(person_id) REFERENCES person (id)
)
;
CREATE INDEX ix_flagauthor_person_id ON flagauthor (person_id)
;
CREATE TABLE idempotencykey (
	key_hash VARCHAR(64) NOT NULL,
	flag_id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_idempotencykey PRIMARY KEY (key_hash),
	CONSTRAINT fk_idempotencykey_flag_id_frictionflag FOREIGN KEY(flag_id) REFERENCES frictionflag (id) ON DELETE CASCADE
)
;
CREATE TABLE promptanswer (
	id INTEGER NOT NULL,
	delivery_id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	answer VARCHAR(10) NOT NULL,
	flag_id INTEGER,
	answered_at DATETIME NOT NULL,
	CONSTRAINT pk_promptanswer PRIMARY KEY (id),
	CONSTRAINT uq_promptanswer_delivery_id UNIQUE (delivery_id),
	CONSTRAINT fk_promptanswer_delivery_id_nudgedelivery FOREIGN KEY(delivery_id) REFERENCES nudgedelivery (id),
	CONSTRAINT fk_promptanswer_person_id_person FOREIGN KEY(person_id) REFERENCES person (id),
	CONSTRAINT fk_promptanswer_flag_id_frictionflag FOREIGN KEY(flag_id) REFERENCES frictionflag (id)
)
;
CREATE INDEX ix_promptanswer_person_id ON promptanswer (person_id)
;
