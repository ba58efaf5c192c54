// Routes. Console and mobile pages are lazy chunks so each side loads only its own UI kit.
import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'
import { session } from '@/stores/session'
import { areaTree } from '@/stores/areaTree'
import type { RoleName } from '@/api'
import { isDesktop } from '@/shared/device'
import { volunteerConsoleRoutes, volunteerMobileRoutes } from './volunteerRoutes'

declare module 'vue-router' {
  interface RouteMeta {
    auth?: 'console' | 'mobile'
    perm?: string
    /** A role the user must hold somewhere (for rules the server states by role, not permission). */
    role?: RoleName
    tree?: boolean
    title?: string
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: () => (isDesktop() ? '/console' : '/m') },
    { path: '/login', component: () => import('@/console/LoginPage.vue') },
    {
      path: '/console',
      component: () => import('@/console/ConsoleLayout.vue'),
      meta: { auth: 'console' },
      children: [
        { path: '', component: () => import('@/console/HomePage.vue'), meta: { auth: 'console', tree: true, title: 'menu.home' } },
        {
          path: 'residents',
          component: () => import('@/console/ResidentsPage.vue'),
          meta: { auth: 'console', tree: true, perm: 'people.read', title: 'menu.residents' },
        },
        {
          path: 'residents/:id',
          component: () => import('@/console/ResidentPage.vue'),
          meta: { auth: 'console', perm: 'people.read', title: 'residents.detailTitle' },
        },
        {
          path: 'cases',
          component: () => import('@/console/CasesPage.vue'),
          meta: { auth: 'console', tree: true, title: 'menu.cases' },
        },
        {
          path: 'cases/:id',
          component: () => import('@/console/CasePage.vue'),
          meta: { auth: 'console', title: 'cases.detailTitle' },
        },
        {
          path: 'org',
          component: () => import('@/console/OrgPage.vue'),
          meta: { auth: 'console', tree: true, perm: 'org.read', title: 'menu.org' },
        },
        {
          path: 'dashboard',
          component: () => import('@/console/dashboard/DashboardPage.vue'),
          meta: { auth: 'console', tree: true, title: 'menu.dashboard' },
        },
        {
          path: 'map',
          component: () => import('@/console/map/MapPage.vue'),
          meta: { auth: 'console', tree: true, title: 'menu.map' },
        },
        {
          path: 'admin/staff',
          component: () => import('@/console/admin/StaffPage.vue'),
          meta: { auth: 'console', tree: true, perm: 'users.manage', title: 'menu.staff' },
        },
        {
          path: 'admin/categories',
          component: () => import('@/console/admin/CategoriesPage.vue'),
          meta: { auth: 'console', role: 'platform_admin', title: 'menu.categories' },
        },
        {
          path: 'admin/calendar',
          component: () => import('@/console/admin/CalendarPage.vue'),
          meta: { auth: 'console', role: 'platform_admin', title: 'menu.calendar' },
        },
        {
          path: 'audit',
          component: () => import('@/console/AuditPage.vue'),
          meta: { auth: 'console', perm: 'audit.read', title: 'menu.audit' },
        },
        ...volunteerConsoleRoutes,
      ],
    },
    {
      path: '/m',
      component: () => import('@/mobile/MobileLayout.vue'),
      children: [
        { path: '', component: () => import('@/mobile/MobileHome.vue'), meta: { auth: 'mobile' } },
        { path: 'login', component: () => import('@/mobile/LoginPage.vue'), meta: { title: 'login.submit' } },
        { path: 'grid', component: () => import('@/mobile/GridPage.vue'), meta: { auth: 'mobile', title: 'm.myGrid' } },
        { path: 'report', component: () => import('@/mobile/ReportPage.vue'), meta: { auth: 'mobile', title: 'report.title' } },
        { path: 'my-cases', component: () => import('@/mobile/MyCasesPage.vue'), meta: { auth: 'mobile', title: 'report.myCases' } },
        { path: 'tasks', component: () => import('@/mobile/MyCasesPage.vue'), meta: { auth: 'mobile', title: 'report.tasks' } },
        { path: 'cases/:id', component: () => import('@/mobile/CasePage.vue'), meta: { auth: 'mobile', title: 'cases.detailTitle' } },
        { path: 'me', component: () => import('@/mobile/MePage.vue'), meta: { auth: 'mobile', title: 'm.me' } },
        { path: 'notifications', component: () => import('@/mobile/NoticesPage.vue'), meta: { auth: 'mobile', title: 'notice.mine' } },
        {
          path: 'residents/:id',
          component: () => import('@/mobile/ResidentPage.vue'),
          meta: { auth: 'mobile', title: 'residents.detailTitle' },
        },
        {
          path: 'households/:id',
          component: () => import('@/mobile/HouseholdPage.vue'),
          meta: { auth: 'mobile', title: 'm.household' },
        },
        ...volunteerMobileRoutes,
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

export function loginPathFor(to: RouteLocationNormalized | string): string {
  const path = typeof to === 'string' ? to : to.path
  return path.startsWith('/m') ? '/m/login' : '/login'
}

/** Starts fetching the lazy chunks of a route while the guard waits for /me, instead of after
 *  it: the browser keeps the modules, so the router's own import later resolves at once. */
function prefetchComponents(to: RouteLocationNormalized): void {
  for (const record of to.matched) {
    const load = record.components?.default
    if (typeof load === 'function' && !('render' in load) && !('setup' in load)) {
      ;(load as () => Promise<unknown>)().catch(() => undefined)
    }
  }
}

router.beforeEach(async (to) => {
  const side = to.meta.auth
  if (!side) return true
  if (!session.state.loaded) prefetchComponents(to)
  const me = await session.load()
  if (!me) return { path: loginPathFor(to), query: { redirect: to.fullPath } }
  if (side === 'console' && me.kind === 'resident') return '/m'
  // The console's org tree scopes its first page (Home's counts come with it): ask for it now,
  // while the layout's chunks load and render, instead of after the layout has mounted.
  if (side === 'console' && !areaTree.state.roots.length) areaTree.load(Number(to.query.area) || undefined).catch(() => undefined)
  if (to.meta.perm && !session.can(to.meta.perm)) return side === 'console' ? '/console' : '/m'
  if (to.meta.role && !session.hasRole(to.meta.role)) return side === 'console' ? '/console' : '/m'
  return true
})
