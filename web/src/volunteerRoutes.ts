// Routes of the volunteer pages (志愿服务), spread into the console and mobile children in router.ts.
import type { RouteRecordRaw } from 'vue-router'

const manage = { auth: 'console' as const, perm: 'volunteers.manage' }

export const volunteerConsoleRoutes: RouteRecordRaw[] = [
  { path: 'volunteers', component: () => import('@/console/volunteers/VolunteersPage.vue'), meta: { ...manage, tree: true, title: 'vol.volunteers' } },
  { path: 'volunteers/:id', component: () => import('@/console/volunteers/VolunteerPage.vue'), meta: { ...manage, title: 'vol.volunteerDetail' } },
  { path: 'volunteer-teams', component: () => import('@/console/volunteers/TeamsPage.vue'), meta: { ...manage, tree: true, title: 'vol.teams' } },
  { path: 'volunteer-activities', component: () => import('@/console/volunteers/ActivitiesPage.vue'), meta: { ...manage, tree: true, title: 'vol.activities' } },
  { path: 'volunteer-activities/:id', component: () => import('@/console/volunteers/ActivityPage.vue'), meta: { ...manage, title: 'vol.organize' } },
  { path: 'volunteer-gifts', component: () => import('@/console/volunteers/GiftsPage.vue'), meta: { ...manage, tree: true, title: 'vol.gifts' } },
  { path: 'volunteer-backfills', component: () => import('@/console/volunteers/BackfillsPage.vue'), meta: { ...manage, title: 'vol.backfills' } },
  { path: 'volunteer-rankings', component: () => import('@/console/volunteers/RankingsPage.vue'), meta: { ...manage, tree: true, title: 'vol.rankings' } },
]

const mobile = { auth: 'mobile' as const }

export const volunteerMobileRoutes: RouteRecordRaw[] = [
  { path: 'volunteer', component: () => import('@/mobile/volunteer/VolunteerHome.vue'), meta: { ...mobile, title: 'vol.title' } },
  { path: 'volunteer/activities', component: () => import('@/mobile/volunteer/ActivitiesPage.vue'), meta: { ...mobile, title: 'vol.activities' } },
  { path: 'volunteer/activities/:id', component: () => import('@/mobile/volunteer/ActivityPage.vue'), meta: { ...mobile, title: 'vol.activities' } },
  { path: 'volunteer/checkin', component: () => import('@/mobile/volunteer/CheckinPage.vue'), meta: { ...mobile, title: 'vol.checkinTitle' } },
  { path: 'volunteer/backfill', component: () => import('@/mobile/volunteer/BackfillPage.vue'), meta: { ...mobile, title: 'vol.backfill' } },
  { path: 'volunteer/passbook', component: () => import('@/mobile/volunteer/PassbookPage.vue'), meta: { ...mobile, title: 'vol.passbook' } },
  { path: 'volunteer/gifts', component: () => import('@/mobile/volunteer/GiftsPage.vue'), meta: { ...mobile, title: 'vol.gifts' } },
  { path: 'volunteer/certificate', component: () => import('@/mobile/volunteer/CertificatePage.vue'), meta: { ...mobile, title: 'vol.certificate' } },
]
