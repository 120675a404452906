"""End to end in real headless Chromium: push, render, open /s/<id>, and look at what the app did."""

import re
import time

import pytest
from django.core.signals import request_started
from playwright.sync_api import expect

from stage.models import Render
from tests.support.renders import trigger
from tests.support.rest import new_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def open_preview(page, live_server, session_id: str):
    page.goto(f"{live_server.url}/s/{session_id}")
    return page.frame_locator("#stage-frame")


def open_app(api, capture, page, live_server, source: str):
    """A one-file app (/app/App.tsx) pushed, rendered and opened: its frame."""
    session_id = new_session(api, {"/app/App.tsx": source})
    trigger(api, session_id, capture)
    return open_preview(page, live_server, session_id)


def recorded_error(session_id: str) -> Render:
    """The render once the page has reported the app's runtime error (the report is asynchronous)."""
    render = Render.objects.get(session__public_id=session_id)
    deadline = time.monotonic() + 10
    while render.error is None and time.monotonic() < deadline:
        time.sleep(0.05)
        render.refresh_from_db()
    return render


def css(locator, prop: str) -> str:
    return locator.evaluate(f"el => getComputedStyle(el).getPropertyValue({prop!r})")


def test_an_app_with_a_local_component_a_css_module_and_lodash_renders_in_the_frame(api, capture, page, live_server):
    session_id = new_session(
        api,
        [
            {
                "path": "/app/App.tsx",
                "content": "import _ from 'lodash';\nimport Greeting from './components/Greeting';\n"
                "import styles from './App.module.css';\n"
                "export default function App() {\n"
                "  return <main><h1 className={styles.title}>{_.upperFirst('hello from lodash')}</h1>"
                '<Greeting name="Stage"/></main>;\n}',
            },
            {
                "path": "/app/components/Greeting.tsx",
                "content": "export default function Greeting({ name }: { name: string }) {\n"
                '  return <p id="greeting">Greetings, {name}</p>;\n}',
            },
            {"path": "/app/App.module.css", "content": ".title { color: rgb(12, 34, 56); font-size: 31px; }"},
        ],
    )
    trigger(api, session_id, capture)

    frame = open_preview(page, live_server, session_id)

    title = frame.locator("h1")
    expect(title).to_have_text("Hello from lodash")
    expect(frame.locator("#greeting")).to_have_text("Greetings, Stage")
    assert css(title, "color") == "rgb(12, 34, 56)"
    assert css(title, "font-size") == "31px"
    expect(page.locator("#stage-status")).to_have_text("ready")


def test_the_nested_import_cases_of_the_original_stage(api, capture, page, live_server):
    session_id = new_session(
        api,
        [
            {
                "path": "/app/App.tsx",
                "content": "import './styles/global.css';\nimport Deep from './features/a/b/Deep';\n"
                "import Widget from './widgets';\nimport { label } from '/app/lib/labels';\n"
                "export default () => <div><Deep/><Widget/><span id='abs'>{label}</span>"
                "<div id='dot' className='dot'>dot</div></div>;",
            },
            {
                "path": "/app/features/a/b/Deep.tsx",
                "content": "import { shout } from '../../../lib/text';\n"
                "import s from '../../../styles/deep.module.css';\n"
                "export default () => <p id='deep' className={s.deep}>{shout('parent chain')}</p>;",
            },
            {"path": "/app/lib/text.ts", "content": "export const shout = (t: string) => t.toUpperCase();"},
            {"path": "/app/lib/labels.js", "content": "export const label = 'absolute import';"},
            {"path": "/app/widgets/index.tsx", "content": "export default () => <p id='widget'>index file</p>;"},
            {"path": "/app/styles/deep.module.css", "content": ".deep { color: rgb(0, 128, 0); }"},
            {"path": "/app/styles/global.css", "content": "@import './dot.css';\nbody { margin: 7px; }"},
            {"path": "/app/styles/dot.css", "content": ".dot { background-image: url(../img/dot.svg); }"},
            {"path": "/app/img/dot.svg", "content": "<svg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/>"},
        ],
    )
    trigger(api, session_id, capture)

    frame = open_preview(page, live_server, session_id)

    expect(frame.locator("#deep")).to_have_text("PARENT CHAIN")
    expect(frame.locator("#widget")).to_have_text("index file")
    expect(frame.locator("#abs")).to_have_text("absolute import")
    assert css(frame.locator("#deep"), "color") == "rgb(0, 128, 0)"
    assert css(frame.locator("body"), "margin-top") == "7px"
    assert css(frame.locator("#dot"), "background-image").startswith('url("data:image/svg+xml')


def test_a_component_that_throws_shows_the_error_and_records_it(api, capture, page, live_server):
    session_id = new_session(
        api,
        [
            {
                "path": "/app/App.tsx",
                "content": "function Broken(): JSX.Element { throw new Error('Kaboom in Broken'); }\n"
                "export default () => <div><Broken/></div>;",
            }
        ],
    )
    trigger(api, session_id, capture)

    open_preview(page, live_server, session_id)

    expect(page.locator("#stage-runtime-error")).to_contain_text("Kaboom in Broken")
    expect(page.locator("#stage-status")).to_have_text("error")  # built, but the running app has thrown
    render = recorded_error(session_id)
    assert render.error.startswith("Runtime error: Kaboom in Broken\n    at /app/App.tsx:1:")
    assert render.error_locations[0]["file"] == "/app/App.tsx" and render.error_locations[0]["line"] == 1
    assert render.status == Render.Status.READY


def test_a_runtime_error_points_at_the_authors_file_line_and_code(api, capture, page, live_server):
    chart = (
        "type Row = { label: string };\n"
        "export default function Chart({ rows }: { rows?: Row[] }) {\n"
        "  const labels = rows.map((row) => row.label);\n"
        "  return <ul>{labels.map((label) => <li key={label}>{label}</li>)}</ul>;\n"
        "}\n"
    )
    app = "import Chart from './components/Chart';\nexport default function App() {\n  return <Chart />;\n}\n"
    session_id = new_session(api, {"/app/App.tsx": app, "/app/components/Chart.tsx": chart})
    trigger(api, session_id, capture)

    open_preview(page, live_server, session_id)

    panel = page.locator("#stage-runtime-error")
    expect(panel).to_contain_text("at /app/components/Chart.tsx:3:")
    expect(panel).to_contain_text("3 |   const labels = rows.map((row) => row.label);")
    assert "stage-app.js" not in panel.text_content() and "frame?v=" not in panel.text_content()
    render = recorded_error(session_id)
    assert "/app/components/Chart.tsx:3:" in render.error
    first = render.error_locations[0]
    assert (first["file"], first["line"]) == ("/app/components/Chart.tsx", 3)
    assert first["lineText"] == "  const labels = rows.map((row) => row.label);"
    assert "Cannot read properties of undefined" in first["message"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "export default 42;",
            "Runtime error: Entry point must default-export a React component",
            id="default-export-not-a-component",
        ),
        pytest.param(
            "import { useEffect } from 'react';\n"
            "export default function App() {\n"
            "  useEffect(() => { Promise.reject(new Error('Rejected in effect')); }, []);\n"
            "  return <p id='alive'>still rendered</p>;\n}",
            "Runtime error: Rejected in effect",
            id="unhandled-rejection",
        ),
        pytest.param(
            "export default function App() {\n"
            "  return <button id='go' onClick={() => { setTimeout(() => { throw new TypeError('Late throw'); }); }}>go"
            "</button>;\n}",
            "Runtime error: Late throw",
            id="window-onerror",
        ),
    ],
)
def test_errors_outside_react_rendering_are_shown_and_recorded(api, capture, page, live_server, source, expected):
    session_id = new_session(api, [{"path": "/app/App.tsx", "content": source}])
    trigger(api, session_id, capture)

    frame = open_preview(page, live_server, session_id)
    if "id='go'" in source:
        frame.locator("#go").click()

    expect(page.locator("#stage-runtime-error")).to_contain_text(expected.removeprefix("Runtime error: "))
    assert recorded_error(session_id).error.splitlines()[0] == expected


def test_an_unavailable_import_fails_the_build_and_the_page_says_where(api, capture, page, live_server):
    session_id = new_session(
        api,
        [
            {
                "path": "/app/App.tsx",
                "content": "import axios from 'axios';\nexport default () => <p>{String(axios)}</p>;",
            }
        ],
    )
    trigger(api, session_id, capture)

    open_preview(page, live_server, session_id)

    panel = page.locator("#stage-build-error")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text('/app/App.tsx:1:19: Import "axios" is not available in Stage')
    expect(page.locator("#stage-status")).to_have_text("failed")
    expect(page.locator("#stage-frame")).to_be_hidden()


def test_the_app_runs_in_an_opaque_origin_that_cannot_reach_the_platform(api, capture, page, live_server):
    probe = (
        "let parentAccess = 'blocked';\ntry { parentAccess = String(window.parent.document.title); } catch {}\n"
        "let cookies = 'blocked';\ntry { cookies = String(document.cookie); } catch {}\n"
        "export default () => <p id='probe'>{`origin=${window.origin} parent=${parentAccess} cookies=${cookies}`}</p>;"
    )
    session_id = new_session(api, [{"path": "/app/App.tsx", "content": probe}])
    trigger(api, session_id, capture)

    frame = open_preview(page, live_server, session_id)

    expect(frame.locator("#probe")).to_have_text("origin=null parent=blocked cookies=blocked")


@pytest.fixture
def requested_paths():
    """The paths the live server was asked for, as it saw them."""
    paths = []

    def seen(sender, environ, **kwargs):
        paths.append(environ["PATH_INFO"])

    request_started.connect(seen)
    yield paths
    request_started.disconnect(seen)


def test_the_shared_libraries_are_fetched_once_and_kept_by_the_browser(
    api, capture, page, live_server, requested_paths
):
    card = 'import { Card, CardTitle } from "@/components/ui/card";\n'
    first = open_app(
        api, capture, page, live_server, card + "export default () => <Card><CardTitle>one</CardTitle></Card>;"
    )
    expect(first.locator("text=one")).to_be_visible()
    page.reload()
    expect(first.locator("text=one")).to_be_visible()
    second = open_app(
        api, capture, page, live_server, card + "export default () => <Card><CardTitle>two</CardTitle></Card>;"
    )
    expect(second.locator("text=two")).to_be_visible()

    shared = [path for path in requested_paths if path.startswith("/__stage/shared/")]
    assert len(shared) == 1, "the first page fetched them; the browser kept them for the reload and the next session"
    assert page.evaluate("performance.getEntriesByType('resource').some(e => e.name.includes('/__stage/shared/'))")


def test_a_frame_opened_on_its_own_loads_the_shared_libraries_itself(api, capture, page, live_server):
    source = 'import { Badge } from "@/components/ui/badge";\nexport default () => <Badge id="b">alone</Badge>;'
    session_id = new_session(api, {"/app/App.tsx": source})
    trigger(api, session_id, capture)
    port = live_server.url.rsplit(":", 1)[1]

    page.goto(f"http://s-{session_id.replace('_', '-')}.localhost:{port}/frame")

    expect(page.locator("#b")).to_have_text("alone")
    assert css(page.locator("#b"), "border-radius") != "0px"  # its classes came with it


def test_the_page_picks_up_a_newer_ready_render_by_itself(api, capture, page, live_server, settings):
    settings.STAGE_PREVIEW_POLL_MS = 100
    session_id = new_session(api, [{"path": "/app/App.tsx", "content": "export default () => <h1>first</h1>;"}])
    trigger(api, session_id, capture)
    frame = open_preview(page, live_server, session_id)
    expect(frame.locator("h1")).to_have_text("first")

    api.post(
        f"/api/v1/stage/sessions/{session_id}/push",
        {"files": [{"path": "/app/App.tsx", "content": "export default () => <h1>second</h1>;"}]},
        format="json",
    )
    trigger(api, session_id, capture)

    expect(frame.locator("h1")).to_have_text("second")
    expect(page.locator("#stage-version")).to_have_text("render v2")


def test_a_session_never_rendered_shows_the_push_and_render_commands(api, page, live_server):
    session_id = new_session(api, [{"path": "/app/App.tsx", "content": "export default () => null;"}])

    open_preview(page, live_server, session_id)

    help_panel = page.locator("#stage-help")
    expect(help_panel).to_contain_text(f"stage push ./app /app --session {session_id} --url {live_server.url}")
    expect(help_panel).to_contain_text(f"{live_server.url}/api/v1/stage/sessions/{session_id}/push")


TAILWIND_APP = """import { useState } from "react";
export default function App() {
  const [dark, setDark] = useState(false);
  return (
    <div className={dark ? "dark" : ""}>
      <main id="card" className="bg-card text-card-foreground p-4 md:p-[13px] rounded-lg border border-border">
        <p id="tinted" className="bg-green-500/20 w-[37px] dark:text-white">tinted</p>
        <p id="muted" className="text-muted-foreground hover:underline">muted</p>
        <button id="toggle" onClick={() => setDark(!dark)}>dark</button>
      </main>
    </div>
  );
}"""


def test_tailwind_classes_and_theme_tokens_take_effect_light_and_dark(api, capture, page, live_server):
    page.set_viewport_size({"width": 1000, "height": 700})
    frame = open_app(api, capture, page, live_server, TAILWIND_APP)

    tinted, card = frame.locator("#tinted"), frame.locator("#card")
    expect(tinted).to_have_text("tinted")
    assert css(tinted, "width") == "37px"  # an arbitrary value
    assert css(tinted, "background-color").startswith(("oklab(", "color(srgb", "rgba("))  # green at 20%
    assert css(tinted, "background-color") != css(card, "background-color")
    assert css(card, "padding-top") == "13px"  # md: applies at this width, over p-4
    assert css(card, "border-top-width") == "1px" and css(card, "border-top-style") == "solid"
    light = css(tinted, "color")
    frame.locator("#toggle").click()  # a `.dark` ancestor switches dark: variants and the theme tokens
    expect(tinted).to_have_css("color", "rgb(255, 255, 255)")
    assert css(tinted, "color") != light
    expect(page.locator("#stage-status")).to_have_text("ready")


DASHBOARD = """import { useState } from "react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { AspectRatio } from "@/components/ui/aspect-ratio";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import {
  Card, CardAction, CardContent, CardDescription, CardFooter, CardHeader, CardTitle,
} from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Progress } from "@/components/ui/progress";
import { Separator } from "@/components/ui/separator";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table, TableBody, TableCaption, TableCell, TableFooter, TableHead, TableHeader, TableRow,
} from "@/components/ui/table";
import { Textarea } from "@/components/ui/textarea";
import { cn } from "@/lib/utils";

export default function App() {
  const [count, setCount] = useState(0);
  return (
    <Card id="card" className="m-4 w-[420px]">
      <CardHeader>
        <CardTitle>Sales</CardTitle>
        <CardDescription>This week</CardDescription>
        <CardAction><Badge id="badge" variant="secondary">live</Badge></CardAction>
      </CardHeader>
      <CardContent className={cn("space-y-3 px-6", "px-2")} id="content">
        <Label htmlFor="name">Name</Label>
        <Input id="name" placeholder="Ada" />
        <Textarea placeholder="Notes" />
        <Progress id="progress" value={40} />
        <Separator />
        <Skeleton className="h-4 w-20" />
        <AspectRatio ratio={2}><div className="bg-muted h-full" /></AspectRatio>
        <Alert variant="destructive">
          <AlertTitle>Heads up</AlertTitle><AlertDescription>Check it</AlertDescription>
        </Alert>
        <Table>
          <TableCaption>Orders</TableCaption>
          <TableHeader><TableRow><TableHead>Item</TableHead></TableRow></TableHeader>
          <TableBody><TableRow><TableCell>Tea</TableCell></TableRow></TableBody>
          <TableFooter><TableRow><TableCell>1</TableCell></TableRow></TableFooter>
        </Table>
      </CardContent>
      <CardFooter>
        <Button id="more" variant="outline" size="sm" onClick={() => setCount(count + 1)}>Clicked {count}</Button>
        <Button id="primary">Go</Button>
      </CardFooter>
    </Card>
  );
}"""


def test_a_dashboard_on_the_shadcn_modules_renders_styled_and_interactive(api, capture, page, live_server):
    frame = open_app(api, capture, page, live_server, DASHBOARD)

    more, primary, card = frame.locator("#more"), frame.locator("#primary"), frame.locator("#card")
    expect(more).to_have_text("Clicked 0")
    more.click()
    expect(more).to_have_text("Clicked 1")
    assert css(card, "width") == "420px" and css(card, "border-top-left-radius") != "0px"
    assert css(more, "height") == "32px" and css(more, "border-top-width") == "1px"  # size sm, variant outline
    assert css(primary, "height") == "36px" and css(primary, "background-color") != css(more, "background-color")
    assert css(frame.locator("#badge"), "background-color") != "rgba(0, 0, 0, 0)"
    assert css(frame.locator("#content"), "padding-left") == "8px"  # cn: the later px-2 wins over px-6
    assert frame.locator("#progress").get_attribute("aria-valuenow") == "40"
    expect(page.locator("#stage-status")).to_have_text("ready")


SETTINGS_APP = """import { useState } from "react";
import { Accordion, AccordionContent, AccordionItem, AccordionTrigger } from "@/components/ui/accordion";
import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import { Checkbox } from "@/components/ui/checkbox";
import { Collapsible, CollapsibleContent, CollapsibleTrigger } from "@/components/ui/collapsible";
import {
  Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger,
} from "@/components/ui/dialog";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle, SheetTrigger } from "@/components/ui/sheet";
import { Switch } from "@/components/ui/switch";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";

export default function App() {
  const [agreed, setAgreed] = useState(false);
  return (
    <div className="p-4 space-y-4">
      <Avatar><AvatarFallback id="avatar">AL</AvatarFallback></Avatar>
      <Tabs defaultValue="account">
        <TabsList>
          <TabsTrigger value="account">Account</TabsTrigger>
          <TabsTrigger value="password">Password</TabsTrigger>
        </TabsList>
        <TabsContent value="account"><p id="account">Account settings</p></TabsContent>
        <TabsContent value="password"><p id="password">Change your password</p></TabsContent>
      </Tabs>
      <Checkbox id="terms" checked={agreed} onCheckedChange={(value) => setAgreed(value === true)} />
      <p id="agreed">{agreed ? "agreed" : "not yet"}</p>
      <Switch id="notify" />
      <Accordion type="single" collapsible>
        <AccordionItem value="a">
          <AccordionTrigger>Shipping</AccordionTrigger>
          <AccordionContent><p id="shipping">Free</p></AccordionContent>
        </AccordionItem>
      </Accordion>
      <Collapsible>
        <CollapsibleTrigger id="more">More</CollapsibleTrigger>
        <CollapsibleContent><p id="extra">Extra</p></CollapsibleContent>
      </Collapsible>
      <Dialog>
        <DialogTrigger id="open-dialog">Edit profile</DialogTrigger>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Profile</DialogTitle><DialogDescription>Make changes</DialogDescription>
          </DialogHeader>
          <DialogFooter><p id="in-dialog">Inside the dialog</p></DialogFooter>
        </DialogContent>
      </Dialog>
      <Popover>
        <PopoverTrigger id="open-popover">Filters</PopoverTrigger>
        <PopoverContent><p id="in-popover">Pick</p></PopoverContent>
      </Popover>
      <Tooltip>
        <TooltipTrigger id="hint">?</TooltipTrigger>
        <TooltipContent><p id="in-tooltip">Help</p></TooltipContent>
      </Tooltip>
      <Sheet>
        <SheetTrigger id="open-sheet">Cart</SheetTrigger>
        <SheetContent>
          <SheetHeader>
            <SheetTitle>Cart</SheetTitle><SheetDescription id="in-sheet">Empty</SheetDescription>
          </SheetHeader>
        </SheetContent>
      </Sheet>
    </div>
  );
}"""


def test_the_radix_based_shadcn_modules_open_switch_and_toggle_in_the_frame(api, capture, page, live_server):
    frame = open_app(api, capture, page, live_server, SETTINGS_APP)

    expect(frame.locator("#avatar")).to_have_text("AL")
    expect(frame.locator("#account")).to_be_visible()
    frame.get_by_role("tab", name="Password").click()
    expect(frame.locator("#password")).to_be_visible()
    expect(frame.locator("#account")).to_have_count(0)
    frame.locator("#terms").click()
    expect(frame.locator("#agreed")).to_have_text("agreed")
    frame.locator("#notify").click()
    expect(frame.locator("#notify")).to_have_attribute("data-state", "checked")
    frame.get_by_role("button", name="Shipping").click()
    expect(frame.locator("#shipping")).to_be_visible()
    frame.locator("#more").click()
    expect(frame.locator("#extra")).to_be_visible()
    frame.locator("#open-dialog").click()
    expect(frame.locator("#in-dialog")).to_be_visible()
    assert css(frame.locator("[data-slot=dialog-content]"), "position") == "fixed"
    frame.locator("body").press("Escape")
    expect(frame.locator("#in-dialog")).to_have_count(0)
    frame.locator("#open-popover").click()
    expect(frame.locator("#in-popover")).to_be_visible()
    frame.locator("body").press("Escape")
    frame.locator("#hint").hover()
    expect(frame.locator("#in-tooltip").first).to_be_visible()
    frame.locator("#open-sheet").click()
    expect(frame.locator("#in-sheet")).to_have_text("Empty")
    expect(page.locator("#stage-status")).to_have_text("ready")


CONTROLS_APP = """import { useState } from "react";
import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription,
  AlertDialogFooter, AlertDialogHeader, AlertDialogTitle, AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import {
  Breadcrumb, BreadcrumbItem, BreadcrumbLink, BreadcrumbList, BreadcrumbPage, BreadcrumbSeparator,
} from "@/components/ui/breadcrumb";
import { HoverCard, HoverCardContent, HoverCardTrigger } from "@/components/ui/hover-card";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { ScrollArea } from "@/components/ui/scroll-area";
import { Slider } from "@/components/ui/slider";
import { Toggle } from "@/components/ui/toggle";
import { ToggleGroup, ToggleGroupItem } from "@/components/ui/toggle-group";

export default function App() {
  const [plan, setPlan] = useState("free");
  const [deleted, setDeleted] = useState(false);
  return (
    <div className="p-4 space-y-4">
      <Breadcrumb>
        <BreadcrumbList>
          <BreadcrumbItem><BreadcrumbLink href="#">Home</BreadcrumbLink></BreadcrumbItem>
          <BreadcrumbSeparator />
          <BreadcrumbItem><BreadcrumbPage id="page">Settings</BreadcrumbPage></BreadcrumbItem>
        </BreadcrumbList>
      </Breadcrumb>
      <RadioGroup value={plan} onValueChange={setPlan}>
        <RadioGroupItem value="free" id="free" /><RadioGroupItem value="pro" id="pro" />
      </RadioGroup>
      <p id="plan">{plan}</p>
      <Toggle id="bold" aria-label="Bold">B</Toggle>
      <ToggleGroup type="single" variant="outline" defaultValue="left">
        <ToggleGroupItem value="left" id="left">L</ToggleGroupItem>
        <ToggleGroupItem value="right" id="right">R</ToggleGroupItem>
      </ToggleGroup>
      <Slider id="volume" defaultValue={[30]} max={100} />
      <ScrollArea className="h-20 w-40"><div className="h-60" id="long">Long list</div></ScrollArea>
      <HoverCard openDelay={0}>
        <HoverCardTrigger id="who">@ada</HoverCardTrigger>
        <HoverCardContent><p id="card-about">Ada Lovelace</p></HoverCardContent>
      </HoverCard>
      <AlertDialog>
        <AlertDialogTrigger id="delete">Delete</AlertDialogTrigger>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Sure?</AlertDialogTitle>
            <AlertDialogDescription>It cannot be undone.</AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction id="confirm" onClick={() => setDeleted(true)}>Delete</AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
      <p id="deleted">{deleted ? "deleted" : "kept"}</p>
    </div>
  );
}"""


def test_more_shadcn_modules_choose_toggle_slide_and_confirm_in_the_frame(api, capture, page, live_server):
    frame = open_app(api, capture, page, live_server, CONTROLS_APP)

    expect(frame.locator("#page")).to_have_text("Settings")
    frame.locator("#pro").click()
    expect(frame.locator("#plan")).to_have_text("pro")
    frame.locator("#bold").click()
    expect(frame.locator("#bold")).to_have_attribute("data-state", "on")
    expect(frame.locator("#left")).to_have_attribute("data-state", "on")
    frame.locator("#right").click()
    expect(frame.locator("#right")).to_have_attribute("data-state", "on")
    expect(frame.locator("[data-slot=slider-thumb]")).to_have_attribute("aria-valuenow", "30")
    frame.locator("[data-slot=slider-thumb]").press("ArrowRight")
    expect(frame.locator("[data-slot=slider-thumb]")).to_have_attribute("aria-valuenow", "31")
    assert css(frame.locator("[data-slot=scroll-area-viewport]"), "height") == "80px"
    frame.locator("#who").hover()
    expect(frame.locator("#card-about")).to_be_visible()
    frame.locator("#delete").click()
    frame.locator("#confirm").click()
    expect(frame.locator("#deleted")).to_have_text("deleted")
    expect(page.locator("#stage-status")).to_have_text("ready")


MENUS_APP = """import { useState } from "react";
import { Command, CommandEmpty, CommandGroup, CommandInput, CommandItem, CommandList } from "@/components/ui/command";
import { ContextMenu, ContextMenuContent, ContextMenuItem, ContextMenuTrigger } from "@/components/ui/context-menu";
import {
  Drawer, DrawerContent, DrawerDescription, DrawerHeader, DrawerTitle, DrawerTrigger,
} from "@/components/ui/drawer";
import {
  DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Menubar, MenubarContent, MenubarItem, MenubarMenu, MenubarTrigger } from "@/components/ui/menubar";
import { ResizableHandle, ResizablePanel, ResizablePanelGroup } from "@/components/ui/resizable";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";

export default function App() {
  const [last, setLast] = useState("nothing");
  return (
    <div className="p-4 space-y-4">
      <p id="last">{last}</p>
      <Select onValueChange={(value) => setLast(`picked ${value}`)}>
        <SelectTrigger id="fruit" className="w-40"><SelectValue placeholder="Fruit" /></SelectTrigger>
        <SelectContent>
          <SelectItem value="apple">Apple</SelectItem><SelectItem value="pear">Pear</SelectItem>
        </SelectContent>
      </Select>
      <DropdownMenu>
        <DropdownMenuTrigger id="account">Account</DropdownMenuTrigger>
        <DropdownMenuContent>
          <DropdownMenuLabel>Mine</DropdownMenuLabel><DropdownMenuSeparator />
          <DropdownMenuItem onSelect={() => setLast("profile")}>Profile</DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <ContextMenu>
        <ContextMenuTrigger id="area" className="block h-10 w-40 border">Right-click</ContextMenuTrigger>
        <ContextMenuContent>
          <ContextMenuItem onSelect={() => setLast("copied")}>Copy</ContextMenuItem>
        </ContextMenuContent>
      </ContextMenu>
      <Menubar>
        <MenubarMenu>
          <MenubarTrigger id="file">File</MenubarTrigger>
          <MenubarContent><MenubarItem onSelect={() => setLast("new file")}>New</MenubarItem></MenubarContent>
        </MenubarMenu>
      </Menubar>
      <Drawer>
        <DrawerTrigger id="open-drawer">Details</DrawerTrigger>
        <DrawerContent>
          <DrawerHeader>
            <DrawerTitle>Order</DrawerTitle><DrawerDescription id="in-drawer">Shipped</DrawerDescription>
          </DrawerHeader>
        </DrawerContent>
      </Drawer>
      <ResizablePanelGroup direction="horizontal" className="h-20 w-80 border">
        <ResizablePanel defaultSize="50%"><p id="left-panel">Left</p></ResizablePanel>
        <ResizableHandle withHandle />
        <ResizablePanel defaultSize="50%"><p id="right-panel">Right</p></ResizablePanel>
      </ResizablePanelGroup>
      <Command className="border">
        <CommandInput id="search" placeholder="Search" />
        <CommandList>
          <CommandEmpty>No results.</CommandEmpty>
          <CommandGroup heading="Fruit">
            <CommandItem>Banana</CommandItem><CommandItem>Cherry</CommandItem>
          </CommandGroup>
        </CommandList>
      </Command>
    </div>
  );
}"""


def test_the_menu_select_drawer_panel_and_command_modules_work_in_the_frame(api, capture, page, live_server):
    frame = open_app(api, capture, page, live_server, MENUS_APP)
    last = frame.locator("#last")

    frame.locator("#fruit").click()
    frame.get_by_role("option", name="Pear").click()
    expect(last).to_have_text("picked pear")
    frame.locator("#account").click()
    frame.get_by_role("menuitem", name="Profile").click()
    expect(last).to_have_text("profile")
    frame.locator("#area").click(button="right")
    frame.get_by_role("menuitem", name="Copy").click()
    expect(last).to_have_text("copied")
    frame.locator("#file").click()
    frame.get_by_role("menuitem", name="New").click()
    expect(last).to_have_text("new file")
    expect(frame.locator("#left-panel")).to_have_text("Left")
    expect(frame.locator("[data-slot=resizable-handle]")).to_have_count(1)
    frame.locator("[data-slot=command-input]").fill("cher")
    expect(frame.get_by_text("Cherry")).to_be_visible()
    expect(frame.get_by_text("Banana")).to_have_count(0)
    frame.locator("#open-drawer").click()
    expect(frame.locator("#in-drawer")).to_have_text("Shipped")
    expect(page.locator("#stage-status")).to_have_text("ready")


FORM_APP = """import { useState } from "react";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Calendar } from "@/components/ui/calendar";
import { Carousel, CarouselContent, CarouselItem, CarouselNext, CarouselPrevious } from "@/components/ui/carousel";
import { Form, FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import {
  NavigationMenu, NavigationMenuContent, NavigationMenuItem, NavigationMenuLink, NavigationMenuList,
  NavigationMenuTrigger,
} from "@/components/ui/navigation-menu";

export default function App() {
  const form = useForm({ defaultValues: { username: "" } });
  const [sent, setSent] = useState("");
  const [day, setDay] = useState<Date | undefined>(undefined);
  return (
    <div className="p-4 space-y-6">
      <NavigationMenu>
        <NavigationMenuList>
          <NavigationMenuItem>
            <NavigationMenuTrigger id="docs">Docs</NavigationMenuTrigger>
            <NavigationMenuContent>
              <NavigationMenuLink href="#" id="intro">Introduction</NavigationMenuLink>
            </NavigationMenuContent>
          </NavigationMenuItem>
        </NavigationMenuList>
      </NavigationMenu>
      <Form {...form}>
        <form onSubmit={form.handleSubmit((values) => setSent(values.username))} className="space-y-2">
          <FormField
            control={form.control}
            name="username"
            rules={{ minLength: { value: 3, message: "At least 3 characters." } }}
            render={({ field }) => (
              <FormItem>
                <FormLabel>Username</FormLabel>
                <FormControl><Input id="username" {...field} /></FormControl>
                <FormDescription>Your public name.</FormDescription>
                <FormMessage />
              </FormItem>
            )}
          />
          <Button type="submit" id="submit">Save</Button>
        </form>
      </Form>
      <p id="sent">{sent}</p>
      <Calendar mode="single" selected={day} onSelect={setDay} defaultMonth={new Date(2026, 0, 1)} />
      <p id="day">{day ? day.getDate() : "none"}</p>
      <Carousel className="mx-14 w-40">
        <CarouselContent>
          {[1, 2, 3].map((n) => <CarouselItem key={n}><p className="slide">Slide {n}</p></CarouselItem>)}
        </CarouselContent>
        <CarouselPrevious id="prev" /><CarouselNext id="next" />
      </Carousel>
    </div>
  );
}"""


def test_form_calendar_carousel_and_navigation_modules_work_in_the_frame(api, capture, page, live_server):
    frame = open_app(api, capture, page, live_server, FORM_APP)

    frame.locator("#username").fill("al")
    frame.locator("#submit").click()
    expect(frame.get_by_text("At least 3 characters.")).to_be_visible()
    expect(frame.locator("#username")).to_have_attribute("aria-invalid", "true")
    frame.locator("#username").fill("alice")
    frame.locator("#submit").click()
    expect(frame.locator("#sent")).to_have_text("alice")
    frame.get_by_role("button", name="15").first.click()
    expect(frame.locator("#day")).to_have_text("15")
    expect(frame.locator("#prev")).to_be_disabled()
    frame.locator("#next").click()
    expect(frame.locator("#prev")).to_be_enabled()
    frame.locator("#docs").click()
    expect(frame.locator("#intro")).to_be_visible()
    expect(page.locator("#stage-status")).to_have_text("ready")


def test_a_form_in_the_frame_submits_to_its_handler_and_never_leaves(api, capture, page, live_server, local_server):
    leak = local_server.url("/leak")
    app = f"""import {{ useState }} from "react";
export default function App() {{
  const [handled, setHandled] = useState("no");
  return (<div>
    <form id="handled" onSubmit={{(e) => {{ e.preventDefault(); setHandled("yes"); }}}}>
      <button id="ok">ok</button>
    </form>
    <p id="state">{{handled}}</p>
    <form id="leak" action="{leak}" method="post">
      <input name="secret" defaultValue="s3" /><button id="go">go</button>
    </form>
  </div>);
}}"""
    session_id = new_session(api, {"/app/App.tsx": app})
    trigger(api, session_id, capture)

    frame = open_preview(page, live_server, session_id)
    frame.locator("#ok").click()
    expect(frame.locator("#state")).to_have_text("yes")
    frame.locator("#go").click()
    page.wait_for_timeout(500)

    assert local_server.requests == []  # form-action 'none': the frame may handle a form, not send one
    expect(page.locator("#stage-status")).to_have_text("ready")  # the platform's page around it is untouched


PNG_RED_4x4 = "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEklEQVR4nGP4z8CAB+GTG8HSALfKY52fTcuYAAAAAElFTkSuQmCC"


def test_an_image_pushed_as_base64_imports_as_a_url_the_frame_loads(api, capture, page, live_server):
    app = (
        'import logo from "./logo.png";\nimport "./page.css";\n'
        'export default () => <div><img id="logo" src={logo} alt="logo" /><div id="bg" className="bg" /></div>;'
    )
    files = [
        {"path": "/app/App.tsx", "content": app},
        {"path": "/app/page.css", "content": ".bg { width: 4px; height: 4px; background: url(./logo.png); }"},
        {"path": "/app/logo.png", "content": PNG_RED_4x4, "encoding": "base64"},
    ]
    session_id = new_session(api, files)
    trigger(api, session_id, capture)

    frame = open_preview(page, live_server, session_id)

    logo = frame.locator("#logo")
    expect(logo).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 4  # decoded: the bytes arrived whole
    assert "data:image/png;base64," in css(frame.locator("#bg"), "background-image")


def test_an_edit_replaces_the_running_app_in_place_and_stops_what_it_left_running(api, capture, page, live_server):
    first = (
        "let ticks = 0;\nsetInterval(() => { ticks += 1; window.__oldTicks = ticks; }, 20);\n"
        "export default () => <h1>first</h1>;"
    )
    session_id = new_session(api, [{"path": "/app/App.tsx", "content": first}])
    trigger(api, session_id, capture)
    frame = open_preview(page, live_server, session_id)
    expect(frame.locator("h1")).to_have_text("first")
    running = next(f for f in page.frames if "/frame" in f.url)
    running.evaluate("() => { window.__sameDocument = true; }")

    broken = "export default function App() {\n  const rows = undefined;\n  return <h1>{rows.length} second</h1>;\n}"
    api.post(f"/api/v1/stage/sessions/{session_id}/push", {"files": [{"path": "/app/App.tsx", "content": broken}]},
             format="json")  # fmt: skip
    trigger(api, session_id, capture)

    expect(page.locator("#stage-runtime-error")).to_contain_text("at /app/App.tsx:3:")  # traced, as before
    assert running.evaluate("() => window.__sameDocument") is True  # the same document: no reload
    ticks = running.evaluate("() => window.__oldTicks")
    time.sleep(0.2)
    assert running.evaluate("() => window.__oldTicks") == ticks  # the old app's interval was stopped
    assert Render.objects.get(session__public_id=session_id, version=2).error.startswith("Runtime error:")
