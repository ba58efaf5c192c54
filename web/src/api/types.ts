// Records of the CivicGrid JSON API (/api/v1). Field names mirror the server exactly.

export type AreaLevel = 'city' | 'district' | 'street' | 'community' | 'grid'
export type RoleName =
  | 'platform_admin'
  | 'street_admin'
  | 'community_worker'
  | 'grid_worker'
  | 'handler'
  | 'volunteer_manager'
  | 'party_secretary'
  | 'resident'
export type Gender = 'male' | 'female'
export type ResidenceType = 'registered' | 'resident' | 'floating'
export type Relation = 'head' | 'spouse' | 'child' | 'parent' | 'grandchild' | 'sibling' | 'other'

export interface AreaRef {
  id: number
  name: string
  level: AreaLevel
  path: string
}

export interface RoleGrant {
  /** The grant's own id (account lists only), for revoking it. */
  id?: number
  role: RoleName
  area: AreaRef
}

export interface Me {
  id: number
  username: string
  display_name: string
  kind: 'staff' | 'resident'
  roles: RoleGrant[]
  permissions: string[]
  csrf_token?: string
  /** Not in the written contract yet; shown on the mobile "我的" page when the server sends it. */
  household?: { id: number; address: string; building_id?: number } | null
}

export interface LoginResult {
  user: Me
  csrf_token: string
}

export interface AreaCounts {
  grids: number
  buildings: number
  households: number
  residents: number
}

export interface AreaNode {
  id: number
  code: string
  name: string
  level: AreaLevel
  parent_id: number | null
  counts: AreaCounts
  children?: AreaNode[]
}

export interface Area {
  id: number
  code: string
  name: string
  level: AreaLevel
  parent_id: number | null
  path: string
  has_boundary: boolean
}

export interface Page<T> {
  items: T[]
  next_cursor?: string | null
}

export interface Building {
  id: number
  grid_id: number
  name: string
  address: string
  lat?: number | null
  lng?: number | null
  household_count: number
}

export interface Household {
  id: number
  building_id: number
  unit: string
  floor: string | number
  room: string
  address: string
  member_count: number
}

export interface ResidentSummary {
  id: number
  name: string
  gender: Gender
  birth_date: string
  age: number
  id_number_masked: string
  phone_masked: string
  residence_type: ResidenceType
  relation: Relation
  tags: string[]
  household: { id: number; address: string }
  grid: { id: number; name: string }
}

/** A household member as GET /households/{id} lists it: no ID or phone numbers, not even masked. */
export interface HouseholdMember {
  id: number
  name: string
  relation: Relation
  gender: Gender
  birth_date: string
  age?: number
}

export interface HouseholdDetail extends Household {
  members: HouseholdMember[]
}

export interface Resident extends ResidentSummary {
  notes: string
  created_at: number | string
  updated_at: number | string
}

export interface ResidentInput {
  household_id: number | null
  name: string
  gender: Gender | ''
  birth_date: string
  id_number: string
  phone: string
  relation: Relation | ''
  residence_type: ResidenceType | ''
  tags: string[]
  notes: string
}

export interface ImportReport {
  dry_run: boolean
  encoding: string
  total_rows: number
  valid_rows: number
  imported: number
  error_count?: number
  errors: { row: number; field: string; code?: string; message: string }[]
}

export interface Tag {
  name: string
  builtin: boolean
}

export interface AuditEntry {
  id: number
  at: number
  user: { id: number; display_name: string } | null
  role: string
  action: string
  target_type: string
  target_id: string | number | null
  detail: string
  address: string
  request_id: string
}

export interface StaffUser {
  id: number
  username: string
  display_name: string
  kind?: 'staff' | 'resident'
  disabled?: boolean
  roles: RoleGrant[]
}

export interface ResidentQuery {
  q?: string
  area?: number | null
  tag?: string
}

// ---- 民情工单 (cases) ----
export type CaseStatus =
  | 'reported' | 'accepted' | 'rejected' | 'merged' | 'dispatched' | 'in_progress'
  | 'handled' | 'verified' | 'closed' | 'reopened'
export type CaseRating = 'satisfied' | 'basically_satisfied' | 'dissatisfied'
export type CaseAction =
  | 'accept' | 'reject' | 'merge' | 'dispatch' | 'start' | 'handle' | 'verify' | 'close' | 'rate'
  | 'return' | 'escalate' | 'extend' | 'extend_decision' | 'supervise' | 'comment'

export interface CaseCategory {
  id: number
  parent_id: number | null
  code: string
  name: string
  level: 'grid' | 'community' | 'street'
  handler_unit: string
  accept_hours: number
  handle_limit: number
  handle_unit: 'hours' | 'days'
  children: CaseCategory[]
}

export interface Case {
  id: number
  number: string
  title: string
  description: string
  category: { id: number; name: string }
  source: string
  reporter: { user_id: number | null; name: string; phone_masked: string }
  grid: { id: number; name: string }
  building_id: number | null
  address: string
  priority: 'normal' | 'urgent'
  status: CaseStatus
  level: 'grid' | 'community' | 'street'
  handler: { unit: string; user_id: number | null }
  accept_deadline: number | null
  handle_deadline: number | null
  extension_request: { minutes: number; reason: string } | null
  rework_count: number
  reopen_count: number
  rating: CaseRating | null
  rating_comment: string
  merged_into: number | null
  version: number
  created_at: number
  updated_at: number
  closed_at: number | null
  lat?: number | null
  lng?: number | null
  warning?: 'none' | 'yellow' | 'red'
}

export interface CaseEvent {
  id: number
  at: number
  actor: { user_id: number | null; name: string; role: string }
  action: string
  from_status: string
  to_status: string
  note: string
  data: Record<string, unknown>
}

export interface CaseDeadline {
  kind: 'accept' | 'handle' | 'none'
  at: number | null
  remaining_working_minutes: number | null
  fraction_used: number
  warning: 'none' | 'yellow' | 'red'
}

export interface StoredFile {
  id: string
  mime: string
  size: number
  width: number
  height: number
  created_at: number
}

export interface CasePhoto {
  id: string
  stage: 'report' | 'handle' | 'verify' | 'comment'
  mime: string
  width: number
  height: number
  at: number
  url: string
}

export interface CaseDetail extends Case {
  timeline: CaseEvent[]
  photos: CasePhoto[]
  deadline: CaseDeadline
  allowed_actions: CaseAction[]
}

export interface CaseQuery {
  status?: string
  area?: number | null
  category?: number | null
  mine?: boolean
  overdue?: boolean
  q?: string
}

export interface CaseInput {
  title: string
  description?: string
  category_id: number
  grid_id?: number
  building_id?: number
  lat?: number
  lng?: number
  address?: string
  photo_ids?: string[]
}

/** The case indicators of one area (DOMAIN.md §10); rates are null when their base is zero. */
export interface CaseIndicators {
  received: number
  accepted: number
  closed: number
  on_time_closed: number
  on_time_rate: number | null
  rated: number
  satisfaction_rate: number | null
  rework_rate: number | null
  closed_in_grid_share: number | null
  closed_in_community_share: number | null
  avg_handling_working_hours: number | null
}

export interface CaseStats extends CaseIndicators {
  area: { id: number; name: string; level: AreaLevel }
  from: number
  to: number
  by_child: (CaseIndicators & { area: { id: number; name: string; level: AreaLevel } })[]
  by_category: {
    category: { id: number; name: string }
    received: number
    closed: number
    on_time_rate: number | null
    satisfaction_rate: number | null
  }[]
}

/** Open cases per grid under an area (for the map). */
export interface OpenByGrid {
  area: { id: number; name: string; level: AreaLevel }
  items: { grid: { id: number; name: string }; open: number; yellow: number; red: number }[]
}

export interface CalendarDay {
  date: string
  kind: 'rest' | 'workday'
  name: string
}

export interface CalendarYear {
  year: number
  working_hours: string
  minutes_per_day: number
  items: CalendarDay[]
}

export type CategoryInput = Omit<CaseCategory, 'id' | 'children' | 'parent_id'> & { parent_id?: number | null }
// ---- volunteers and the points bank (志愿服务) ----

export interface Ref {
  id: number
  name: string
}

export type VolunteerStatus = 'pending' | 'approved' | 'rejected'

export interface Volunteer {
  id: number
  number: number | null
  user_id: number
  resident_id: number | null
  kind: 'resident' | 'staff'
  name: string
  area: Ref
  id_number_masked: string
  phone_masked: string
  skills: string[]
  available_times: string
  status: VolunteerStatus
  decision_note: string
  decided_at: number | null
  created_at: number
  verified_hours: number
  points_balance: number
  stars: number
}

export interface VolunteerTeam {
  id: number
  name: string
  kind: 'community' | 'street' | 'party_branch'
  area: Ref
  description: string
  member_count: number
  created_at: number
}

export interface TeamMember {
  volunteer_id: number
  number: number | null
  name: string
  role: 'member' | 'leader'
  joined_at: number
}

export type ActivityStatus = 'draft' | 'published' | 'running' | 'finished' | 'verified' | 'cancelled'

export interface VolunteerActivity {
  id: number
  team: Ref
  area: Ref
  title: string
  content: string
  venue: string
  lat: number | null
  lng: number | null
  start_at: number
  end_at: number
  signup_deadline: number
  capacity: number
  confirmed: number
  waitlisted: number
  points_per_hour: number
  points_cap: number
  required_skills: string[]
  status: ActivityStatus
  cancel_reason: string
  created_at: number
  updated_at: number
}

export interface ActivityInput {
  team_id: number
  title: string
  content?: string
  venue?: string
  lat?: number
  lng?: number
  start_at: number
  end_at: number
  signup_deadline?: number
  capacity: number
  points_per_hour?: number
  points_cap?: number
}

export interface Signup {
  id: number
  activity: { id: number; title: string }
  volunteer: { id: number; name: string; number: number | null }
  status: 'confirmed' | 'waitlisted' | 'cancelled'
  start_at: number
  end_at: number
  waitlist_position: number | null
}

export type AttendanceStatus = 'checked_in' | 'pending' | 'approved' | 'adjusted' | 'rejected'

export interface Attendance {
  id: number
  activity: { id: number; title: string }
  volunteer: Ref
  check_in_at: number
  check_out_at: number | null
  check_in_method: 'qr' | 'manual' | 'backfill'
  check_out_method: 'qr' | 'manual' | 'auto' | 'backfill' | null
  distance_m: number | null
  far_flag: boolean
  auto_checkout_flag: boolean
  minutes: number
  status: AttendanceStatus
  verified_minutes: number | null
  verify_reason: string
  verified_at: number | null
  points: number | null
}

export interface QrToken {
  token: string
  window_start: number
  expires_at: number
  window_seconds: number
}

export interface PassbookLine {
  transfer_id: number
  at: number
  kind: 'earn' | 'redeem' | 'refund' | 'adjust' | 'reverse' | 'expire'
  description: string
  place: string
  verified_hours: number | null
  points: number
  balance: number
}

export interface Passbook {
  volunteer: Volunteer
  balance: number
  verified_hours: number
  lines: PassbookLine[]
}

export interface Gift {
  id: number
  area: Ref
  name: string
  description: string
  points_price: number
  stock: number
  active: boolean
  created_at: number
}

export interface Redemption {
  id: number
  gift: Ref
  volunteer: Ref
  quantity: number
  points: number
  pickup_code: string | null
  status: 'reserved' | 'completed' | 'cancelled'
  created_at: number
  closed_at: number | null
}

export interface RankingRow {
  rank: number
  volunteer_id: number
  number: number | null
  name: string
  area_name: string
  hours: number
  points: number
}

export interface Ranking {
  area: Ref
  period: 'week' | 'month' | 'year'
  by: 'hours' | 'points'
  from: number
  to: number
  items: RankingRow[]
}

export interface Certificate {
  number: string
  name: string
  id_number_masked: string
  volunteer_number: number | null
  issuer: string
  total_hours: number
  record_count: number
  issued_at: number
  records: { attendance_id: number; activity: string; date: number; verified_hours: number }[]
}

export interface Backfill {
  id: number
  activity: { id: number; title: string }
  volunteer: { id: number; name: string }
  check_in_at: number
  check_out_at: number
  reason: string
  status: 'pending' | 'approved' | 'rejected'
  decision_note: string
  decided_at: number | null
  attendance_id: number | null
  created_at: number
}

export interface VolunteerNotice {
  id: number
  activity_id: number | null
  kind: string
  message: string
  created_at: number
}

export interface VolunteerSettings {
  star_hours: number[]
  points_expiry_days: number
  checkin_distance_m: number
}

/** A notice for the signed-in user (GET /notifications, and the live stream). */
export interface Notice {
  id: number
  /** case.reported | case.dispatched | case.progress | case.overdue | case.rated | case.reopened | case.rework | case.supervised */
  kind: string
  title: string
  body: string
  subject_type: string
  subject_id: number | null
  created_at: number
  read_at: number | null
}

export interface NoticePage {
  items: Notice[]
  unread_count: number
  next_before: number | null
}
